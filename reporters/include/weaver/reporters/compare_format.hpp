// A Comparison as an aligned text table, a JSON document or a GitHub
// markdown table.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string_view>

#include "weaver/reporters/compare.hpp"

namespace weaver::reporters {

enum class CompareFormat { text, json, markdown };

// "text", "json", "markdown"; nullopt for anything else.
std::optional<CompareFormat> parse_compare_format(std::string_view name);

void write_comparison(const Comparison& comparison, CompareFormat format, std::ostream& out);

void write_comparison_text(const Comparison& comparison, std::ostream& out);
void write_comparison_markdown(const Comparison& comparison, std::ostream& out);
nlohmann::json comparison_json(const Comparison& comparison);

}  // namespace weaver::reporters
