// The lab's naming and addressing rules, checked for every lab number at the
// largest sizes (no root needed): names fit IFNAMSIZ and carry the prefix,
// every address lies in 198.18.0.0/15, nothing repeats.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <set>

#include "lab_network.hpp"
#include "weaver/error.hpp"
#include "weaver/lab/lab_plan.hpp"

namespace weaver::lab {
namespace {

bool in_benchmark_range(const std::string& address) {
  in_addr parsed{};
  if (inet_pton(AF_INET, address.c_str(), &parsed) != 1) return false;
  return (ntohl(parsed.s_addr) & 0xfffe0000u) == 0xc6120000u;  // 198.18.0.0/15
}

bool is_prefixed(const std::string& name, const LabPlan& plan) {
  return name.rfind(plan.prefix, 0) == 0;
}

TEST(LabPlan, NamesAndAddressesStayInsideTheLabAtEveryLabNumber) {
  LabOptions options;
  options.datapaths = {Datapath::bridge, Datapath::routed, Datapath::tc_redirect, Datapath::userspace};
  options.hypervisors = max_hypervisors_total / 4;
  options.sources = max_sources;
  for (int number = 1; number <= max_lab_number; ++number) {
    const LabPlan plan = make_lab_plan(options, number);
    const std::vector<std::string> all_netns = plan.all_netns();
    std::set<std::string> addresses, macs, netns(all_netns.begin(), all_netns.end());
    EXPECT_EQ(netns.size(), all_netns.size());
    for (const std::string& name : all_netns) EXPECT_TRUE(is_prefixed(name, plan)) << name;
    std::vector<std::string> root_links{plan.management_bridge};
    for (const auto& source : plan.sources) {
      root_links.push_back(source.root_management_if);
      addresses.insert({source.data_address, source.management_address});
      macs.insert(source.data_mac);
      EXPECT_LE(source.switch_port.size(), 15u);
    }
    for (const auto& hypervisor : plan.hypervisors) {
      root_links.push_back(hypervisor.root_management_if);
      addresses.insert({hypervisor.pif_address, hypervisor.management_address,
                        hypervisor.guest_address});
      macs.insert({hypervisor.pif_mac, hypervisor.vif_mac, hypervisor.guest_mac});
      EXPECT_LE(hypervisor.vif.size(), 15u);
      EXPECT_LE(hypervisor.switch_port.size(), 15u);
    }
    for (const std::string& link : root_links) {
      EXPECT_TRUE(is_prefixed(link, plan)) << link;
      EXPECT_LE(link.size(), 15u) << link;
    }
    EXPECT_EQ(addresses.size(), 2 * plan.sources.size() + 3 * plan.hypervisors.size());
    EXPECT_EQ(macs.size(), plan.sources.size() + 3 * plan.hypervisors.size());
    addresses.insert(plan.management_gateway);
    for (const std::string& address : addresses) EXPECT_TRUE(in_benchmark_range(address)) << address;
  }
}

TEST(LabPlan, TwoLabsShareNoNameNoAddress) {
  const LabPlan first = make_lab_plan({}, 1);
  const LabPlan second = make_lab_plan({}, 2);
  EXPECT_NE(first.hypervisors[0].guest_address, second.hypervisors[0].guest_address);
  EXPECT_NE(first.hypervisors[0].management_address, second.hypervisors[0].management_address);
  EXPECT_NE(first.hypervisors[0].pif_mac, second.hypervisors[0].pif_mac);
  EXPECT_NE(first.switch_netns, second.switch_netns);
}

TEST(LabPlan, RejectsSizesOutOfRange) {
  LabOptions options;
  options.hypervisors = max_hypervisors_total + 1;
  EXPECT_THROW(make_lab_plan(options, 1), UsageError);
  options.hypervisors = 1;
  options.sources = 0;
  EXPECT_THROW(make_lab_plan(options, 1), UsageError);
  EXPECT_THROW(make_lab_plan({}, 100), UsageError);
  EXPECT_FALSE(parse_lab_id("wv0"));
  EXPECT_FALSE(parse_lab_id("wv100"));
  EXPECT_EQ(parse_lab_id("wv42"), 42);
}

TEST(LabPlan, RoutedSourcesSendToThePifOthersToTheGuest) {
  LabOptions options;
  options.datapaths = {Datapath::routed, Datapath::bridge};
  const LabPlan plan = make_lab_plan(options, 3);
  const std::string batch = source_batch(plan, plan.sources[0]);
  EXPECT_NE(batch.find(plan.hypervisors[0].guest_address + " lladdr " + plan.hypervisors[0].pif_mac),
            std::string::npos) << batch;
  EXPECT_NE(batch.find(plan.hypervisors[1].guest_address + " lladdr " + plan.hypervisors[1].guest_mac),
            std::string::npos) << batch;
}

}  // namespace
}  // namespace weaver::lab
