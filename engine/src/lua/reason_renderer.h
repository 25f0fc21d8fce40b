// ReasonRenderer: fills in reason templates ("รายได้ {e.annual_revenue_thb|thb} บาท ...") in C++,
// for the explain path of RuleRuntime. The prelude splits each template of a program once
// (engine.reason_templates) into literal text and placeholders, with {p.*} already shown
// (parameters never change); rendering then appends literals and shows the {e.*}, {c.*} and
// {v.*} values read from the Lua state, exactly as the prelude's show() would: the common
// cases (nil, booleans, strings, integers, finite floats, plain lists, the known formats and
// label sets) in C++, anything else (tables with metatables, functions, numbers without an
// integer form where one is needed) through show() itself, so the text is the same byte for
// byte either way.
//
// Every function taking a lua_State must run inside a protected call: reading a value may run
// a script's metamethods, which may raise. They keep no C++ object alive across such a read.
// Not thread-safe: one per RuleRuntime.
#ifndef SMEMATCH_ENGINE_SRC_LUA_REASON_RENDERER_H_
#define SMEMATCH_ENGINE_SRC_LUA_REASON_RENDERER_H_

#include <lua.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "smematch/profile.h"

namespace smematch {

class ReasonRenderer {
 public:
  // How a placeholder's value is shown ({v.x|thb}); kShow: a format C++ does not know, left
  // to the prelude's show().
  enum class Format : uint8_t { kNone, kThb, kMthb, kInt, kNum, kPct, kLabels, kShow };

  struct Part {
    enum class Kind : uint8_t { kLiteral, kField, kContext, kValue };
    Kind kind = Kind::kLiteral;
    Format format = Format::kNone;
    std::string text;                    // the literal, or the field / context / value name
    std::string format_name;             // as written after '|' ("" when none)
    std::span<const EnumLabel> labels;   // Format::kLabels
    bool lazy = true;                    // kField: may be fetched through data's __index
    int key = 0;                         // kField, kContext, kValue: the name in the keys table
  };
  using Template = std::vector<Part>;

  // The compiled templates of one program: pass.th, pass.en, fail.th, fail.en per criterion,
  // then benefit th and en.
  struct Program {
    bool compiled = false;
    std::vector<Template> templates;
    const Template& Pass(size_t k, int lang) const { return templates[4 * k + lang]; }
    const Template& Fail(size_t k, int lang) const { return templates[4 * k + 2 + lang]; }
    const Template& Benefit(size_t criteria, int lang) const {
      return templates[4 * criteria + lang];
    }
  };

  static constexpr int kTh = 0;
  static constexpr int kEn = 1;

  // The compiled templates of the program at RuleSet index `index` (compiled = false until
  // Compile fills them).
  Program& program(size_t index) {
    if (programs_.size() <= index) programs_.resize(index + 1);
    return programs_[index];
  }

  // Pushes the prelude's engine.reason_sources (data, ctx, CERTS, NEEDS, show, LAZY) from the
  // table at `sources`, then the table of placeholder names (7 values), and remembers their
  // positions for Compile and Render.
  void PushSources(lua_State* L, int sources);

  // Converts the list engine.reason_templates returned (at stack `index`) into `*out`.
  void Compile(lua_State* L, int index, Program* out);

  // Appends `t` filled in for language `lang` to `*out`; `values` is the stack index of the
  // criterion's values (a table, or nil/false for none).
  void Render(lua_State* L, const Template& t, int lang, int values, std::string* out) const;

  // "needs information: members, shelf life" for the ProfileField bit set `mask`.
  static void AppendMissing(uint64_t mask, int lang, std::string* out);

 private:
  void Show(lua_State* L, int index, const Part& part, int lang, int depth, std::string* out) const;
  void ShowInLua(lua_State* L, int index, const Part& part, int lang, std::string* out) const;

  std::vector<Program> programs_;
  // Placeholder names as Lua strings, kept in a registry table and pushed by index: looking a
  // name up then neither hashes nor compares it. keys_[i] is name i + 1.
  std::vector<std::string> keys_;
  int keys_ref_ = LUA_NOREF;
  int data_ = 0, ctx_ = 0, certs_ = 0, needs_ = 0, show_ = 0, lazy_ = 0, names_ = 0;  // stack
};

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_LUA_REASON_RENDERER_H_
