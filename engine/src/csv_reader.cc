#include "csv_reader.h"

namespace smematch {

CsvReader::CsvReader() { csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL); }
CsvReader::~CsvReader() { csv_free(&parser_); }

void CsvReader::OnField(void* data, size_t len, void* self) {
  auto* r = static_cast<CsvReader*>(self);
  r->cells_.emplace_back(data ? static_cast<const char*>(data) : "", data ? len : 0);
}

void CsvReader::OnRow(int /*terminator*/, void* self) {
  auto* r = static_cast<CsvReader*>(self);
  ++r->records_;
  (*r->on_row_)(std::move(r->cells_));
  r->cells_.clear();
}

Status CsvReader::Feed(std::string_view bytes, const RowFn& on_row) {
  if (at_start_ && !bytes.empty()) {
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    at_start_ = false;
  }
  on_row_ = &on_row;
  size_t done = csv_parse(&parser_, bytes.data(), bytes.size(), OnField, OnRow, this);
  if (done != bytes.size()) {
    return InvalidArgumentError("CSV record " + std::to_string(records_ + 1) + ": " +
                                csv_strerror(csv_error(&parser_)) +
                                " (a quote inside a cell must be doubled)");
  }
  return Status::Ok();
}

Status CsvReader::Finish(const RowFn& on_row) {
  on_row_ = &on_row;
  if (csv_fini(&parser_, OnField, OnRow, this) != 0) {
    return InvalidArgumentError("CSV record " + std::to_string(records_ + 1) +
                                ": unterminated quoted cell at end of input");
  }
  return Status::Ok();
}

Status CsvReader::ReadAll(std::string_view text, std::vector<std::vector<std::string>>* rows) {
  RowFn add = [rows](std::vector<std::string>&& cells) { rows->push_back(std::move(cells)); };
  SMEMATCH_RETURN_IF_ERROR(Feed(text, add));
  return Finish(add);
}

void AppendCsvCell(std::string_view cell, std::string* out) {
  // OWASP CSV injection: a spreadsheet runs a cell starting with = + - @ (or tab, CR) as a
  // formula. Our numeric cells are never negative, so every such cell is text: prefix it.
  bool formula = !cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' ||
                                   cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r');
  bool quote = formula || cell.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out->append(cell);
    return;
  }
  out->push_back('"');
  if (formula) out->push_back('\'');
  for (char c : cell) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace smematch
