// Rule documentation: the published criteria of every program, generated from the scripts that
// run (`smematch rules docs`), so that what applicants read can never drift from what decides.
// One bilingual (Thai and English) page per program id with every version, its effective
// period (and Thai fiscal year), criteria, parameters with their values, units and sources,
// groups, benefit, and [assumed] markers; plus an index. Markdown, and HTML that is
// self-contained (inline CSS; no scripts, fonts or other files). The output depends only on
// the rule set (no time stamps), so regenerating it unchanged gives the same bytes.
// Thread-safe.
#ifndef SMEMATCH_RULE_DOCS_H_
#define SMEMATCH_RULE_DOCS_H_

#include <string>
#include <string_view>
#include <vector>

#include "smematch/rule_set.h"

namespace smematch {

struct RuleDocsOptions {
  bool markdown = true;  // write *.md
  bool html = true;      // write *.html
};

// One generated file: `name` relative to the output folder ("bsc.md", "index.html").
struct DocFile {
  std::string name;
  std::string text;
};

// Returns index.md / index.html and, per program id, "<id in lower case>.md" / ".html".
std::vector<DocFile> RenderRuleDocs(const RuleSet& rules, const RuleDocsOptions& options = {});

// Returns the page of one program id (every version) as Markdown or HTML; empty if the rule
// set has no such program.
std::string ProgramDocMarkdown(const RuleSet& rules, std::string_view program_id);
std::string ProgramDocHtml(const RuleSet& rules, std::string_view program_id);

}  // namespace smematch

#endif  // SMEMATCH_RULE_DOCS_H_
