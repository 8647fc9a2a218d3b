#include "weaver/reporters/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "weaver/error.hpp"
#include "weaver/reporters/mann_whitney.hpp"

namespace weaver::reporters {
namespace {

void check_limits(const CompareOptions& options) {
  if (!std::isfinite(options.threshold_pct) || options.threshold_pct < 0.0) {
    throw UsageError("--threshold " + std::to_string(options.threshold_pct) +
                     ": expected a percentage >= 0");
  }
  if (!(options.alpha > 0.0 && options.alpha <= 1.0)) {
    throw UsageError("--alpha " + std::to_string(options.alpha) + ": expected 0 < alpha <= 1");
  }
}

std::optional<double> median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
}

const std::vector<double>& values_of(const CaseResult* result, const std::string& metric) {
  static const std::vector<double> none;
  if (result == nullptr) return none;
  const auto found = result->values.find(metric);
  return found == result->values.end() ? none : found->second;
}

double change_pct(double base, double current) {
  if (base != 0.0) return (current - base) / std::abs(base) * 100.0;
  if (current == 0.0) return 0.0;
  return current > 0.0 ? std::numeric_limits<double>::infinity()
                       : -std::numeric_limits<double>::infinity();
}

class CaseComparer {
 public:
  CaseComparer(const CompareOptions& options, bool& underpowered_test)
      : options_(options), underpowered_test_(underpowered_test) {}

  CaseComparison compare(const std::string& name, const CaseResult* base,
                         const CaseResult* current) const {
    CaseComparison result;
    result.name = name;
    result.base_repetitions = base ? base->repetitions : 0;
    result.new_repetitions = current ? current->repetitions : 0;
    const bool comparable = base && current && !base->failed() && !current->failed();
    for (const std::string& metric : options_.metrics) {
      result.metrics.push_back(compare_metric(metric, base, current, comparable));
    }
    if (!current) {
      result.verdict = Verdict::only_in_base;
    } else if (!base) {
      result.verdict = Verdict::only_in_new;
    } else if (current->failed()) {
      result.verdict = Verdict::failed;
      result.error = failure(*current);
    } else if (base->failed()) {
      result.verdict = Verdict::base_failed;
      result.error = failure(*base);
    } else {
      result.verdict = overall(result.metrics);
    }
    return result;
  }

 private:
  MetricComparison compare_metric(const std::string& metric, const CaseResult* base,
                                  const CaseResult* current, bool comparable) const {
    const std::vector<double>& base_values = values_of(base, metric);
    const std::vector<double>& new_values = values_of(current, metric);
    MetricComparison result;
    result.metric = metric;
    result.base = median(base_values);
    result.current = median(new_values);
    // NEW reports no figure where BASE had one (null, NaN, or the counter is
    // gone): a gate must not pass on that.
    if (comparable && result.base && !result.current) result.verdict = Verdict::regressed;
    if (!comparable || !result.base || !result.current) return result;
    const double change = change_pct(*result.base, *result.current);
    result.change_pct = change;
    bool significant = true;  // a single repetition: the threshold alone decides
    if (base_values.size() >= 2 && new_values.size() >= 2) {
      result.p_value = mann_whitney_u(base_values, new_values).p_value;
      significant = *result.p_value < options_.alpha;
      if (std::min(base_values.size(), new_values.size()) < recommended_repetitions) {
        underpowered_test_ = true;
      }
    }
    const double worse_by = higher_is_better(metric) ? -change : change;
    if (significant && worse_by > options_.threshold_pct) result.verdict = Verdict::regressed;
    if (significant && worse_by < -options_.threshold_pct) result.verdict = Verdict::improved;
    return result;
  }

  static Verdict overall(const std::vector<MetricComparison>& metrics) {
    const auto any = [&](Verdict verdict) {
      return std::any_of(metrics.begin(), metrics.end(),
                         [&](const MetricComparison& m) { return m.verdict == verdict; });
    };
    if (any(Verdict::regressed)) return Verdict::regressed;
    if (any(Verdict::improved)) return Verdict::improved;
    return Verdict::unchanged;
  }

  static std::string failure(const CaseResult& result) {
    std::string text = result.error.value_or("");
    if (text.empty()) text = "failed without a message";
    if (result.failed_repetitions < result.repetitions) {
      text = std::to_string(result.failed_repetitions) + " of " +
             std::to_string(result.repetitions) + " repetitions failed: " + text;
    }
    return text;
  }

  const CompareOptions& options_;
  bool& underpowered_test_;
};

void count(CompareSummary& summary, Verdict verdict) {
  switch (verdict) {
    case Verdict::regressed:
      ++summary.regressed;
      break;
    case Verdict::improved:
      ++summary.improved;
      break;
    case Verdict::unchanged:
      ++summary.unchanged;
      break;
    case Verdict::only_in_base:
      ++summary.only_in_base;
      break;
    case Verdict::only_in_new:
      ++summary.only_in_new;
      break;
    case Verdict::failed:
      ++summary.failed;
      break;
    case Verdict::base_failed:
      ++summary.base_failed;
      break;
  }
}

}  // namespace

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::regressed:
      return "regressed";
    case Verdict::improved:
      return "improved";
    case Verdict::unchanged:
      return "unchanged";
    case Verdict::only_in_base:
      return "only_in_base";
    case Verdict::only_in_new:
      return "only_in_new";
    case Verdict::failed:
      return "failed";
    case Verdict::base_failed:
      return "base_failed";
  }
  return "unknown";
}

Comparison compare_runs(const RunReport& base, const RunReport& current,
                        const CompareOptions& options) {
  check_limits(options);
  Comparison comparison;
  comparison.base_source = base.source;
  comparison.new_source = current.source;
  comparison.options = options;
  comparison.options.metrics = resolve_metrics(options.metrics, {&base, &current});
  const CaseComparer comparer(comparison.options, comparison.underpowered_test);
  for (const CaseResult& base_case : base.cases) {
    comparison.cases.push_back(
        comparer.compare(base_case.name, &base_case, current.find(base_case.name)));
  }
  for (const CaseResult& new_case : current.cases) {
    if (base.find(new_case.name)) continue;
    comparison.cases.push_back(comparer.compare(new_case.name, nullptr, &new_case));
  }
  for (const CaseComparison& result : comparison.cases) count(comparison.summary, result.verdict);
  return comparison;
}

int compare_exit_code(const Comparison& comparison) {
  return comparison.summary.regressed + comparison.summary.failed > 0 ? 1 : 0;
}

}  // namespace weaver::reporters
