// Snippets: the best window of a passage, matched words highlighted.
//
// A word is highlighted when one of its analyzer keys is among the query's keys
// for the passage's language (QueryBuilder's BuiltQuery::keys_by_lang), so words
// matched through stemming, plurals and accent folding are marked like exact
// ones: "creacion" marks "creación". Everything else is HTML-escaped.
#ifndef SAREA_COMMON_SNIPPET_H_
#define SAREA_COMMON_SNIPPET_H_

#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "common/analyzer.h"

namespace sarea {

struct SnippetOptions {
  std::size_t length = 200;  // about this many characters (code points) of text
  std::string mark_open = "<mark>";
  std::string mark_close = "</mark>";
  std::string ellipsis = "…";
};

// HTML for `text` (a passage in `lang`): the whole text when it is no longer
// than `length`, else the window of about `length` characters, cut at word
// boundaries, holding the most distinct matched keys (the opening when nothing
// matches), with an ellipsis on each cut side.
std::string MakeSnippet(std::string_view text, std::string_view lang,
                        const std::set<std::string>& keys, Analyzer& analyzer,
                        const SnippetOptions& options = {});

// Escapes & < > " ' for HTML text and attributes.
std::string EscapeHtml(std::string_view text);

}  // namespace sarea

#endif  // SAREA_COMMON_SNIPPET_H_
