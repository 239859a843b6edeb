// Tests for common/readers.h: validation, and each format's blocks and title.
#include "common/readers.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace sarea {
namespace {

using namespace std::string_literals;  // "...\0..."s keeps the NUL

// One block as a line a failing test prints readably: "H2 Title", "P text",
// "L item", with " @es" when the block states a language, " ~es" when an
// enclosing element does (Block::lang_inherited).
std::string Describe(const Block& block) {
  std::string out = block.kind == BlockKind::kHeading    ? "H" + std::to_string(block.level)
                    : block.kind == BlockKind::kListItem ? "L"
                                                         : "P";
  if (block.kind != BlockKind::kHeading && block.level != 0) out += "(level!)";
  out += " " + block.text;
  if (!block.lang.empty()) out += (block.lang_inherited ? " ~" : " @") + block.lang;
  return out;
}

std::vector<std::string> Describe(const SourceDocument& document) {
  std::vector<std::string> out;
  for (const Block& block : document.blocks) out.push_back(Describe(block));
  return out;
}

// Reads through ReadFile (validation included) and expects one document.
SourceDocument ReadOne(std::string_view path, std::string_view bytes) {
  Result<ReadResult> result = ReadFile(path, bytes);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok() || result->documents.size() != 1) {
    ADD_FAILURE() << "expected exactly one document from " << path;
    return {};
  }
  EXPECT_TRUE(result->record_errors.empty());
  return result->documents.front();
}

std::string ReadSourceFile(const std::string& rel_path) {
  std::ifstream in(std::string(SAREA_SOURCE_DIR) + "/" + rel_path, std::ios::binary);
  EXPECT_TRUE(in) << rel_path;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// ---------------------------------------------------------------- file names

TEST(FormatForPathTest, ByLowercaseExtension) {
  const struct {
    const char* path;
    Format format;
  } kCases[] = {
      {"a.txt", Format::kText},        {"dir/A.TXT", Format::kText},
      {"a.md", Format::kMarkdown},     {"a.Markdown", Format::kMarkdown},
      {"a.html", Format::kHtml},       {"a.HTM", Format::kHtml},
      {"a.jsonl", Format::kJsonl},     {"a.json", Format::kUnknown},
      {"a.pdf", Format::kUnknown},     {"README", Format::kUnknown},
      {"a.txt.bak", Format::kUnknown}, {"notes.md/file", Format::kUnknown},
      {".txt", Format::kUnknown},      {"", Format::kUnknown},
  };
  for (const auto& c : kCases) EXPECT_EQ(FormatForPath(c.path), c.format) << c.path;
}

TEST(TitleFromPathTest, FileNameToWords) {
  const struct {
    const char* path;
    const char* title;
  } kCases[] = {
      {"dir/creative-cities_network.txt", "Creative cities network"},
      {"a/b/élan_vital.md", "Élan vital"},
      {"__spaced--  out__.html", "Spaced out"},
      {"archive.tar.gz", "Archive.tar"},
      {"no_extension", "No extension"},
      {"dir\\windows-name.txt", "Windows name"},
      {"2024-report.txt", "2024 report"},
      {"---.txt", "---.txt"},
  };
  for (const auto& c : kCases) EXPECT_EQ(TitleFromPath(c.path), c.title) << c.path;
}

// ---------------------------------------------------------------- validation

TEST(ReadFileTest, RejectsBadInputWithItsReason) {
  const struct {
    const char* path;
    std::string bytes;
    const char* message;
  } kCases[] = {
      {"a.pdf", "hello", "unsupported format"},
      {"a", "hello", "unsupported format"},
      {"a.pdf", "\xFF", "unsupported format"},  // the format is checked first
      {"a.txt", "he\0llo"s, "binary file"},
      {"a.html", "\xFF\0"s, "binary file"},
      {"a.txt", "ab\xC3", "invalid UTF-8 at byte 2"},            // truncated
      {"a.txt", "ab\xC0\xAF", "invalid UTF-8 at byte 2"},        // overlong '/'
      {"a.md", "abc\xED\xA0\x80", "invalid UTF-8 at byte 3"},    // surrogate
      {"a.txt", "\xF4\x90\x80\x80", "invalid UTF-8 at byte 0"},  // > U+10FFFF
      {"a.txt", "caf\xC3\xA9 \x80", "invalid UTF-8 at byte 6"},  // stray continuation
      {"a.txt", "\xEF\xBB\xBF\xFF", "invalid UTF-8 at byte 3"},  // offset counts the BOM
      {"a.txt", "", "empty file"},
      {"a.md", " \n\t\r\n ", "empty file"},
      {"a.html", "\xEF\xBB\xBF", "empty file"},
      {"a.txt", "\xC2\xA0\n\xE3\x80\x80", "empty file"},  // NBSP, ideographic space
      {"a.jsonl", "\n\n", "empty file"},
      {"a.jsonl", "{bad\n[1]\n", "no readable records: line 1: invalid JSON"},
  };
  for (const auto& c : kCases) {
    Result<ReadResult> result = ReadFile(c.path, c.bytes);
    ASSERT_FALSE(result.ok()) << c.path << " " << c.message;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(result.status().message(), c.message);
  }
}

TEST(ReadFileTest, StripsBomAndDispatchesByFormat) {
  EXPECT_EQ(Describe(ReadOne("a.txt", "\xEF\xBB\xBFHello")), std::vector<std::string>{"P Hello"});
  EXPECT_EQ(Describe(ReadOne("a.md", "\xEF\xBB\xBF# Title")), std::vector<std::string>{"H1 Title"});
  EXPECT_EQ(Describe(ReadOne("a.HTM", "\xEF\xBB\xBF<h2>T</h2>")), std::vector<std::string>{"H2 T"});
  Result<ReadResult> jsonl = ReadFile("a.jsonl", "\xEF\xBB\xBF{\"id\":\"r\",\"text\":\"x\"}");
  ASSERT_TRUE(jsonl.ok()) << jsonl.status().ToString();
  ASSERT_EQ(jsonl->documents.size(), 1u);
  EXPECT_EQ(jsonl->documents[0].id, "r");
}

// ---------------------------------------------------------------- .txt

TEST(TextReaderTest, SeedCorpusLayout) {
  const SourceDocument doc =
      ReadOne("creative-cities-network.txt", ReadSourceFile("corpus/creative-cities-network.txt"));
  EXPECT_EQ(doc.id, "creative-cities-network.txt");
  EXPECT_EQ(doc.title, "Creative cities network");
  EXPECT_EQ(doc.lang, "");
  const BlockKind P = BlockKind::kParagraph, L = BlockKind::kListItem;
  const std::vector<BlockKind> kinds = {P, P, P, P, L, L, L, L, P, P, P, P, L, L, L, L, P, P};
  ASSERT_EQ(doc.blocks.size(), kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) {
    EXPECT_EQ(doc.blocks[i].kind, kinds[i]) << i << ": " << doc.blocks[i].text;
    EXPECT_EQ(doc.blocks[i].lang, "");
  }
  auto ends_with = [](const std::string& s, std::string_view end) {
    return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
  };
  EXPECT_EQ(doc.blocks[0].text.rfind("The UNESCO Creative Cities Network was created in 2004", 0),
            0u);
  EXPECT_TRUE(ends_with(doc.blocks[3].text, "as well as civil society to:")) << doc.blocks[3].text;
  EXPECT_EQ(doc.blocks[4].text,
            "Strengthen the creation, production, distribution and dissemination of cultural "
            "activities, goods and services;");
  EXPECT_EQ(doc.blocks[7].text,
            "Fully integrate culture and creativity into their sustainable development plans.");
  EXPECT_TRUE(ends_with(doc.blocks[11].text, "para:")) << doc.blocks[11].text;
  EXPECT_EQ(doc.blocks[15].text,
            "Integrar plenamente la cultura y la creatividad en sus planes de desarrollo "
            "sostenible.");
  EXPECT_TRUE(ends_with(doc.blocks[17].text, "entre otros.")) << doc.blocks[17].text;
}

TEST(TextReaderTest, ParagraphsAndListItems) {
  const struct {
    const char* name;
    const char* text;
    std::vector<std::string> blocks;
  } kCases[] = {
      {"one paragraph per line", "Line one\nLine two", {"P Line one", "P Line two"}},
      {"blank lines join wrapped lines",
       "First line\nwraps here.\n\n\nSecond para\nalso wraps.\n",
       {"P First line wraps here.", "P Second para also wraps."}},
      {"CRLF", "One\r\ntwo\r\n\r\nThree\r\n", {"P One two", "P Three"}},
      {"lone CR ends a line", "a\rb", {"P a", "P b"}},
      {"markers",
       "Intro:\n- dash\n* star\n   - indented\n1. one\n2) two\n123456789. nine digits\n",
       {"P Intro:", "L dash", "L star", "L indented", "L one", "L two", "L nine digits"}},
      {"not markers",
       "-dash\n*star*\n1.5 km\n10)no\n1234567890. ten digits\n",
       {"P -dash", "P *star*", "P 1.5 km", "P 10)no", "P 1234567890. ten digits"}},
      {"empty item dropped", "- \nText\n-   \n", {"P Text"}},
      {"whitespace collapsed", "  a \t b\xC2\xA0\xC2\xA0 c  \n", {"P a b c"}},
      {"wrapped items and text after a list",
       "Para one\nwrapped.\n\nPara two:\n- item one\n  continues\n- item two\nAfter list\n\nLast.",
       {"P Para one wrapped.", "P Para two:", "L item one continues", "L item two", "P After list",
        "P Last."}},
      {"a blank line next to a list is no paragraph structure",
       "Intro\n\n- a\n\n- b\nNext\nline",
       {"P Intro", "L a", "L b", "P Next", "P line"}},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(Describe(ReadOne("x.txt", c.text)), c.blocks) << c.name;
  }
}

// ---------------------------------------------------------------- .md

TEST(MarkdownReaderTest, Blocks) {
  const struct {
    const char* name;
    const char* markdown;
    std::vector<std::string> blocks;
  } kCases[] = {
      {"headings",
       "Intro\n\n## Two\n\nSetext\n======\n\n###### Six #\n",
       {"P Intro", "H2 Two", "H1 Setext", "H6 Six"}},
      {"inline markup",
       "Some *em*, **strong**, `code span`, [link text](http://x.y \"t\"), "
       "![alt *text*](i.png), <span>html</span>\nsoft  \nhard &amp; &eacute;t&eacute; &#241;.",
       {"P Some em, strong, code span, link text, alt text, html soft hard & été ñ."}},
      {"nested lists",
       "- one\n- two\n  - two a\n  - two b\n- three\n\n  continued\n\n1. first\n2) other\n",
       {"L one", "L two", "L two a", "L two b", "L three continued", "L first", "L other"}},
      {"block quotes",
       "> quoted *text*\n>\n> second\n>\n> - in list\n",
       {"P quoted text", "P second", "L in list"}},
      {"code and html blocks skipped",
       "Before\n\n```\ncode here\n```\n\n    indented code\n\nAfter\n\n<div>\nhtml block\n</div>\n"
       "\n---\n",
       {"P Before", "P After"}},
      {"empty heading and item dropped", "#\n\n-\n\nText", {"P Text"}},
      {"CRLF", "# T\r\n\r\npara\r\nline\r\n", {"H1 T", "P para line"}},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(Describe(ReadOne("x.md", c.markdown)), c.blocks) << c.name;
  }
}

TEST(MarkdownReaderTest, TitleIsTheFirstHeadingElseTheFileName) {
  EXPECT_EQ(ReadOne("x.md", "Intro\n\n### Deep *one*\n\n# Top\n").title, "Deep one");
  EXPECT_EQ(ReadOne("x.md", "#\n\n## Real\n").title, "Real");
  const SourceDocument untitled = ReadOne("notes/meeting_notes.markdown", "Just text.\n");
  EXPECT_EQ(untitled.title, "Meeting notes");
  EXPECT_EQ(untitled.id, "notes/meeting_notes.markdown");
  EXPECT_EQ(untitled.lang, "");
}

// ---------------------------------------------------------------- .html

TEST(HtmlReaderTest, Blocks) {
  const struct {
    const char* name;
    const char* html;
    std::vector<std::string> blocks;
  } kCases[] = {
      {"headings and paragraphs",
       "<h1>One</h1><p>Para <b>bold</b></p><h6>Six</h6>",
       {"H1 One", "P Para bold", "H6 Six"}},
      {"lists",
       "<ul><li>One</li><li>Two <i>it</i></li></ul><ol><li>Three</li></ol>",
       {"L One", "L Two it", "L Three"}},
      {"nested lists",
       "<ul><li>A<ul><li>B</li></ul>C</li><li><p>X</p><p>Y</p></li></ul>",
       {"L A", "L B", "L C", "L X Y"}},
      {"text outside p/li/h is kept",
       "Loose<table><tr><th>Head</th><td>Cell <i>one</i></td></tr></table>"
       "<dl><dt>Term</dt><dd>Def</dd></dl><blockquote>Quote</blockquote>"
       "<div>Div<p>inner</p>tail</div><section>Sec</section><article>Art</article>",
       {"P Loose", "P Head", "P Cell one", "P Term", "P Def", "P Quote", "P Div", "P inner",
        "P tail", "P Sec", "P Art"}},
      {"entities",
       "<p>Tom &amp; Jerry, &eacute;t&eacute; en Espa&#241;a &#x263A;&nbsp; x</p>",
       {"P Tom & Jerry, été en España ☺ x"}},
      {"not rendered",
       "<head><style>p{}</style><script>var h;</script><title>T</title></head><body>"
       "<script>alert(1)</script><p>Visible<style>.a{}</style></p><noscript>No JS</noscript>"
       "<template><p>tmpl</p></template><!-- comment --></body>",
       {"P Visible"}},
      {"br is a space, inline tags are not",
       "<p>one<br>two<br/>three un<b>bold</b>ed</p>",
       {"P one two three unbolded"}},
      {"malformed", "<p>Unclosed <b>bold<p>Next</div>", {"P Unclosed bold", "P Next"}},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(Describe(ReadOne("x.html", c.html)), c.blocks) << c.name;
  }
}

TEST(HtmlReaderTest, NearestLangAttribute) {
  const SourceDocument doc = ReadOne(
      "x.html",
      "<html lang=\"es-ES\"><body><h1>Título</h1><p>Hola</p><div lang=\"EN-gb\"><p>Hello</p>"
      "<ul><li lang=\"fr\">Salut</li><li>Hi</li></ul>Loose</div><p lang=\"\">Unknown</p>"
      "<p>Adiós <span lang=\"en\">bye</span></p></body></html>");
  EXPECT_EQ(doc.lang, "es");
  EXPECT_EQ(Describe(doc),
            (std::vector<std::string>{"H1 Título ~es", "P Hola ~es", "P Hello ~en", "L Salut @fr",
                                      "L Hi ~en", "P Loose @en", "P Unknown", "P Adiós bye ~es"}));
  EXPECT_EQ(ReadOne("x.html", "<p lang=\"de\">Hallo</p>").lang, "");  // only <html lang>
}

TEST(HtmlReaderTest, LangNormalisation) {
  const struct {
    const char* lang;
    const char* expected;
  } kCases[] = {
      {"es-ES", "es"}, {"EN", "en"}, {" pt_BR ", "pt"}, {"ast", "ast"}, {"zh-Hant-TW", "zh"},
      {"e", ""},       {"engl", ""}, {"x-klingon", ""}, {"12", ""},     {"", ""},
  };
  for (const auto& c : kCases) {
    const std::string html = "<html lang=\"" + std::string(c.lang) + "\"><p>x</p>";
    const SourceDocument doc = ReadOne("x.html", html);
    EXPECT_EQ(doc.lang, c.expected) << c.lang;
    ASSERT_EQ(doc.blocks.size(), 1u);
    EXPECT_EQ(doc.blocks[0].lang, c.expected) << c.lang;
  }
}

TEST(HtmlReaderTest, TitleFromTitleElementThenHeadingThenFileName) {
  const struct {
    const char* html;
    const char* title;
  } kCases[] = {
      {"<title> My &amp;\n Page </title><h1>Head</h1>", "My & Page"},
      {"<title></title><p>x</p><h3>Sub</h3><h1>Main</h1>", "Sub"},
      {"<p>No headings</p>", "Plain page"},
  };
  for (const auto& c : kCases) EXPECT_EQ(ReadOne("site/plain_page.htm", c.html).title, c.title);
}

// ---------------------------------------------------------------- .jsonl

TEST(JsonlReaderTest, RecordsBecomeDocuments) {
  Result<ReadResult> result = ReadFile(
      "dump.jsonl",
      "{\"id\":\"a\",\"text\":\"First line\\nSecond:\\n- item\",\"title\":\" The  A \","
      "\"lang\":\"es-MX\",\"url\":\"http://x/a\"}\r\n"
      "\n   \n"
      "{\"id\":\"b\",\"text\":\"wrapped\\nline\\n\\nnext\",\"title\":null,\"lang\":null}\n");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->record_errors.empty());
  ASSERT_EQ(result->documents.size(), 2u);
  const SourceDocument& a = result->documents[0];
  EXPECT_EQ(a.id, "a");
  EXPECT_EQ(a.title, "The A");
  EXPECT_EQ(a.lang, "es");
  EXPECT_EQ(a.url, "http://x/a");
  EXPECT_EQ(Describe(a),
            (std::vector<std::string>{"P First line @es", "P Second: @es", "L item @es"}));
  const SourceDocument& b = result->documents[1];
  EXPECT_EQ(b.id, "b");
  EXPECT_EQ(b.title, "b");
  EXPECT_EQ(b.lang, "");
  EXPECT_EQ(b.url, "");
  EXPECT_EQ(Describe(b), (std::vector<std::string>{"P wrapped line", "P next"}));
}

TEST(JsonlReaderTest, TranslationOfIsKept) {
  const ReadResult result =
      ReadJsonl("x.jsonl",
                "{\"id\":\"es\",\"text\":\"Hola\",\"translation_of\":\"en\"}\n"
                "{\"id\":\"en\",\"text\":\"Hello\",\"translation_of\":null}\n");
  ASSERT_EQ(result.documents.size(), 2u);
  EXPECT_EQ(result.documents[0].translation_of, "en");
  EXPECT_EQ(result.documents[1].translation_of, "");
}

TEST(JsonlReaderTest, BadLinesAreReportedAndSkipped) {
  const struct {
    std::string line;
    const char* reason;
  } kCases[] = {
      {"{bad json", "invalid JSON"},
      {"[1, 2]", "not a JSON object"},
      {"\"text\"", "not a JSON object"},
      {R"({"text":"x"})", R"(missing "id")"},
      {R"({"id":5,"text":"x"})", R"("id" is not a string)"},
      {R"({"id":"","text":"x"})", R"(empty "id")"},
      {R"({"id":"a"})", R"(missing "text")"},
      {R"({"id":"a","text":null})", R"("text" is not a string)"},
      {R"({"id":"a","text":" \n "})", R"(empty "text")"},
      {R"({"id":"a","text":"x","title":3})", R"("title" is not a string)"},
      {R"({"id":"a","text":"x","lang":["es"]})", R"("lang" is not a string)"},
      {R"({"id":"a","text":"x","url":{}})", R"("url" is not a string)"},
      {R"({"id":"a","text":"a\u0000b"})", R"("text" contains a NUL character)"},
      {R"({"id":"a","text":"x","translation_of":1})", R"("translation_of" is not a string)"},
      {R"({"id":"a","text":"x","translation_of":"a"})",
       R"("translation_of" names the record itself)"},
  };
  for (const auto& c : kCases) {
    const std::string file = "\n" + c.line + "\n{\"id\":\"good\",\"text\":\"ok\"}\n";
    Result<ReadResult> result = ReadFile("x.jsonl", file);
    ASSERT_TRUE(result.ok()) << c.line << ": " << result.status().ToString();
    ASSERT_EQ(result->documents.size(), 1u) << c.line;
    EXPECT_EQ(result->documents[0].id, "good");
    EXPECT_EQ(result->record_errors, std::vector<std::string>{"line 2: " + std::string(c.reason)});
  }
}

TEST(JsonlReaderTest, DuplicateIdKeepsTheFirst) {
  const ReadResult result = ReadJsonl("x.jsonl",
                                      "{\"id\":\"a\",\"text\":\"first\"}\n"
                                      "{\"id\":\"b\",\"text\":\"other\"}\n"
                                      "{\"id\":\"a\",\"text\":\"second\"}");
  ASSERT_EQ(result.documents.size(), 2u);
  EXPECT_EQ(Describe(result.documents[0]), std::vector<std::string>{"P first"});
  EXPECT_EQ(result.documents[1].id, "b");
  EXPECT_EQ(result.record_errors,
            std::vector<std::string>{"line 3: duplicate id \"a\" (first on line 1)"});
}

TEST(JsonlReaderTest, AllBadIsAnErrorNamingTheFirstProblem) {
  Result<ReadResult> result = ReadFile("x.jsonl", "\n{\"id\":\"a\"}\nnope\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "no readable records: line 2: missing \"text\"");
}

}  // namespace
}  // namespace sarea
