#include "view_flags.h"

namespace stemedb::cli {

void AddViewFlags(CLI::App* cmd, ViewFlags& f, bool predicate_required) {
  cmd->add_option("--subject", f.subject, "The subject, e.g. drugs/semaglutide")->required();
  auto* predicate = cmd->add_option("--predicate", f.predicate, "The predicate");
  if (predicate_required) predicate->required();
  const char* filters = "Filters";
  cmd->add_option("--lifecycle", f.lifecycle, "any, proposed, under_review, approved, deprecated, rejected "
                                              "(default: any but rejected)")->group(filters);
  cmd->add_option("--epoch", f.epoch, "Only claims of this epoch (64 hex)")->group(filters);
  cmd->add_option("--source-class", f.source_class, "Only claims of this authority tier")->group(filters);
  cmd->add_option("--as-of-ms", f.as_of_ms, "Knowledge time: what the server knew at this unix ms")->group(filters);
  cmd->add_option("--valid-at", f.valid_at_s, "Only claims whose valid period holds this unix second")->group(filters);
  cmd->add_flag("--no-decay", f.no_decay, "Do not decay confidence with age")->group(filters);
  cmd->add_flag("--include-retracted", f.include_retracted, "Count claims citing retracted sources")->group(filters);
}

void AddParam(client::RequestTarget& target, const char* name, const std::optional<std::string>& value) {
  if (value) target.Add(name, *value);
}

client::RequestTarget ViewTarget(const std::string& path, const ViewFlags& f) {
  client::RequestTarget target(path);
  target.Add("subject", f.subject);
  AddParam(target, "predicate", f.predicate);
  AddParam(target, "lifecycle", f.lifecycle);
  AddParam(target, "epoch", f.epoch);
  AddParam(target, "source_class", f.source_class);
  AddParam(target, "as_of", f.as_of_ms);
  AddParam(target, "valid_at", f.valid_at_s);
  if (f.no_decay) target.Add("decay", "false");
  if (f.include_retracted) target.Add("include_retracted", "true");
  return target;
}

}  // namespace stemedb::cli
