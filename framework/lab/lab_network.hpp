// Builds the namespaces, links, addresses, neighbours, bridges and tc rules
// of a lab plan with a handful of batched iproute2 calls (one per namespace),
// which is what keeps a one-hypervisor lab well under two seconds.
#pragma once

#include <string>

#include "weaver/lab/lab_plan.hpp"

namespace weaver::lab {

void create_namespaces(const LabPlan& plan);
void build_network(const LabPlan& plan);

// The batch texts, separate so they can be read and tested without root.
std::string root_link_batch(const LabPlan& plan);
std::string switch_batch(const LabPlan& plan);
std::string switch_fdb_batch(const LabPlan& plan);
std::string source_batch(const LabPlan& plan, const SourcePlan& source);
std::string hypervisor_batch(const LabPlan& plan, const HypervisorPlan& hypervisor);
std::string hypervisor_tc_batch(const HypervisorPlan& hypervisor);
std::string guest_batch(const LabPlan& plan, const HypervisorPlan& hypervisor);

}  // namespace weaver::lab
