// make_vif_resolver, and what every adapter refuses before running anything.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "fake_executor.hpp"

namespace weaver::testing {
namespace {

TEST(MakeVifResolver, NamesEachAdapter) {
  for (const std::string adapter : {"xenserver", "xl", "libvirt", "lab"}) {
    EXPECT_EQ(hypervisor::make_vif_resolver(adapter)->name(), adapter);
  }
}

TEST(MakeVifResolver, RefusesAnUnknownAdapter) {
  try {
    hypervisor::make_vif_resolver("vmware");
    FAIL() << "no UsageError";
  } catch (const UsageError& error) {
    EXPECT_STREQ(error.what(),
                 "hypervisor adapter: 'vmware' is not one of xenserver, xl, libvirt, lab");
  }
  EXPECT_THROW(hypervisor::make_vif_resolver(""), UsageError);
  EXPECT_THROW(hypervisor::make_vif_resolver("XenServer"), UsageError);
}

class HostileVmName : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(HostileVmName, IsRefusedBeforeAnyCommandRuns) {
  const auto& [adapter, vm] = GetParam();
  FakeExecutor executor;
  resolve_error<UsageError>(adapter, executor, vm);
  EXPECT_TRUE(executor.commands().empty());
}

INSTANTIATE_TEST_SUITE_P(AllAdapters, HostileVmName,
                         ::testing::Combine(::testing::Values("xenserver", "xl", "libvirt", "lab"),
                                            ::testing::Values("a;rm -rf /", "-x", "", "$(reboot)",
                                                              "web 1", "a\nb", "../etc", "web1'",
                                                              std::string(129, 'a'))));

class AnyAdapter : public ::testing::TestWithParam<std::string> {};

TEST_P(AnyAdapter, NamesTheHostAndTheFieldOfARefusedName) {
  FakeExecutor executor;
  EXPECT_EQ(resolve_error<UsageError>(GetParam(), executor, "a;rm -rf /"),
            "root@10.0.0.2:22: " + GetParam() +
                ": VM name: 'a;rm -rf /' may contain only letters, digits, '.', '-', '_' and ':'");
}

TEST_P(AnyAdapter, RefusesANegativeVifIndexBeforeAnyCommandRuns) {
  FakeExecutor executor;
  EXPECT_EQ(resolve_error<UsageError>(GetParam(), executor, "web1", -1),
            "root@10.0.0.2:22: " + GetParam() + ": VM 'web1': VIF index -1 is negative");
  EXPECT_TRUE(executor.commands().empty());
}

INSTANTIATE_TEST_SUITE_P(All, AnyAdapter, ::testing::Values("xenserver", "xl", "libvirt", "lab"));

}  // namespace
}  // namespace weaver::testing
