// smematch replay: re-evaluate a recorded decision on its stored rules and on today's.
#include <boost/program_options.hpp>
#include <iostream>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "cli.h"
#include "options.h"
#include "replay.h"

namespace smematch::cli {

int RunReplay(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  namespace po = boost::program_options;
  po::options_description desc(
      "usage: smematch replay [options] DECISION_ID\n"
      "\n"
      "Screens the input recorded with DECISION_ID again, on the rule set that decided it (read\n"
      "from the audit database) and on the rules in --rules, and shows whether today's rules\n"
      "decide differently.\n"
      "\n"
      "options");
  std::string audit_db, rules_dir, id;
  desc.add_options()
      ("help,h", "show this help")
      ("audit-db", po::value(&audit_db)->default_value("smematch-audit.db"), "audit database")
      ("rules", po::value(&rules_dir)->default_value("rules"), "today's rule set directory")
      ("json", "print the full report as JSON (the /v1/decisions/{id}/replay body)");
  po::options_description hidden;
  hidden.add_options()("decision-id", po::value(&id));
  po::positional_options_description positional;
  positional.add("decision-id", 1);
  po::variables_map vm;
  if (!ParseOptions(args, desc, &hidden, &positional, &vm, "replay", err)) return kExitUsage;
  if (vm.count("help")) {
    out << desc << "\nexit codes: 0 replayed (whether or not today's rules differ); 2 bad options;\n"
                   "3 a rule set not loaded; 4 database or decision not found\n";
    return kExitOk;
  }
  if (id.empty()) {
    err << "smematch replay: missing DECISION_ID\n(see smematch replay --help)\n";
    return kExitUsage;
  }
  auto log = server::AuditLog::OpenReadOnly(audit_db);
  if (!log.ok()) {
    err << "smematch replay: " << log.status().message() << "\n";
    return kExitIo;
  }
  auto current = RuleSet::Load(rules_dir);
  if (!current.ok()) {
    err << "smematch replay: " << current.status().message() << "\n";
    return kExitRules;
  }
  server::RuleSetCache cache;
  auto report = server::ReplayDecision(**log, cache, id, *current);
  if (!report.ok()) {
    err << "smematch replay: " << report.status().message() << "\n";
    StatusCode c = report.status().code();
    return c == StatusCode::kNotFound ? kExitIo : c == StatusCode::kInternal ? kExitInternal
                                                                             : kExitRules;
  }
  if (vm.count("json")) {
    out << report->json << "\n";
    return kExitOk;
  }
  nlohmann::json j = nlohmann::json::parse(report->json);
  out << "decision      " << j["decision_id"].get<std::string>() << " (" << j["time"].get<std::string>()
      << ", as of " << j["as_of"].get<std::string>() << ")\n"
      << "stored rules  " << j["stored_rule_set"].get<std::string>() << "\n"
      << "current rules " << j["current_rule_set"].get<std::string>() << "\n"
      << "reproduced    " << (report->reproduced ? "yes: the stored rules give the recorded outcomes"
                                                  : "NO: the stored rules now decide differently")
      << "\n";
  if (j["input_masked"].get<bool>()) {
    out << "note          the national ID was stored masked; a stand-in of the same kind was used\n";
  }
  out << "program        stored               current\n";
  const auto& stored = j["stored"]["decisions"];
  const auto& now = j["current"]["decisions"];
  for (const auto& d : stored) {
    std::string program = d["program"], cur = "-";
    for (const auto& c : now) {
      if (c["program"] == program) cur = c["outcome"];
    }
    std::string s = d["outcome"];
    out << program << std::string(program.size() < 15 ? 15 - program.size() : 1, ' ') << s
        << std::string(s.size() < 21 ? 21 - s.size() : 1, ' ') << cur
        << (s != cur ? "   <- changed" : "") << "\n";
  }
  out << (report->changed ? "today's rules decide differently\n" : "today's rules decide the same\n");
  return kExitOk;
}

}  // namespace smematch::cli
