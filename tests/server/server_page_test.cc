// Tests of the web page at / in a real headless browser: Debian's chromium,
// driven through chromedriver's WebDriver protocol over HTTP. The page is
// served by the suite's sarea-serve (server_fixture.h) from its own origin.
// Screenshots go to build/<test build>/screenshots/ for people to look at.
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"
#include "tests/support/process.h"

namespace sarea::server_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kChromedriver[] = "/usr/bin/chromedriver";
// WebDriver's name for an element reference in JSON.
constexpr char kElementKey[] = "element-6066-11e4-a52e-4f735466cecf";
constexpr char kArrowDown[] = "\xEE\x80\x95";  // U+E015
constexpr char kEnter[] = "\xEE\x80\x87";      // U+E007

std::string DecodeBase64(const std::string& in) {
  std::string out;
  int bits = 0;
  unsigned value = 0;
  for (char c : in) {
    int d;
    if (c >= 'A' && c <= 'Z')
      d = c - 'A';
    else if (c >= 'a' && c <= 'z')
      d = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      d = c - '0' + 52;
    else if (c == '+')
      d = 62;
    else if (c == '/')
      d = 63;
    else
      continue;
    value = ((value << 6) | static_cast<unsigned>(d)) & 0xFFFFFFu;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xFF));
    }
  }
  return out;
}

// One chromedriver and one headless chromium session.
class Browser {
 public:
  // "" when the session is up, else why not.
  std::string Start(const fs::path& log) {
    for (const char* program : {kChromium, kChromedriver}) {
      if (!fs::exists(program)) {
        return std::string(program) + " is missing: scripts/install-deps --test installs it";
      }
    }
    const int port = FreeLoopbackPort();
    test_support::SpawnOptions options;
    options.program = kChromedriver;
    options.args = {"--port=" + std::to_string(port)};
    options.out = {log, true};
    options.err = {log, true};
    driver_ = test_support::Spawn(options);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
    client_->set_read_timeout(60, 0);
    for (auto deadline = std::chrono::steady_clock::now() + 20s;;) {
      auto status = client_->Get("/status");
      if (status && status->status == 200) break;
      if (std::chrono::steady_clock::now() > deadline) return "chromedriver did not start";
      std::this_thread::sleep_for(100ms);
    }
    const json created = Call(
        "POST", "/session",
        {{"capabilities",
          {{"alwaysMatch",
            {{"browserName", "chrome"},
             {"goog:chromeOptions",
              {{"binary", kChromium},
               {"args",
                {"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--window-size=1200,900"}}}}}}}}});
    session_ = created.value("sessionId", "");
    return session_.empty() ? "no session: " + created.dump() : "";
  }

  ~Browser() {
    if (!session_.empty()) client_->Delete("/session/" + session_);
    test_support::Kill(driver_);
  }

  // A WebDriver command's "value" ({"error": ...} on failure).
  json Call(const std::string& method, const std::string& path, const json& body = json::object()) {
    httplib::Result r = method == "GET"      ? client_->Get(path)
                        : method == "DELETE" ? client_->Delete(path)
                                             : client_->Post(path, body.dump(), "application/json");
    if (!r) return {{"error", "no answer from chromedriver"}};
    const json answer = json::parse(r->body, nullptr, false);
    return answer.is_object() ? answer.value("value", json()) : json{{"error", r->body}};
  }
  json Session(const std::string& method, const std::string& path,
               const json& body = json::object()) {
    return Call(method, "/session/" + session_ + path, body);
  }

  void Go(const std::string& url) { Session("POST", "/url", {{"url", url}}); }
  json Run(const std::string& script) {
    return Session("POST", "/execute/sync", {{"script", script}, {"args", json::array()}});
  }
  // Runs `script` until it returns something truthy, or `timeout` passes (null).
  json WaitFor(const std::string& script, std::chrono::milliseconds timeout = 10s) {
    for (auto deadline = std::chrono::steady_clock::now() + timeout;;) {
      json value = Run(script);
      const bool truthy = !value.is_null() && value != false && value != "" && value != 0 &&
                          value != json::array() && !(value.is_object() && value.contains("error"));
      if (truthy) return value;
      if (std::chrono::steady_clock::now() > deadline) return nullptr;
      std::this_thread::sleep_for(50ms);
    }
  }
  // Types `text` into the element `css` the way a person does, key by key.
  void Type(const std::string& css, const std::string& text) {
    const json element = Session("POST", "/element", {{"using", "css selector"}, {"value", css}});
    Session("POST", "/element/" + element.value(kElementKey, "") + "/value", {{"text", text}});
  }
  void Click(const std::string& css) {
    const json element = Session("POST", "/element", {{"using", "css selector"}, {"value", css}});
    Session("POST", "/element/" + element.value(kElementKey, "") + "/click");
  }
  void Resize(int width, int height) {
    Session("POST", "/window/rect", {{"width", width}, {"height", height}});
  }
  // Saves a PNG of the viewport; false if none came.
  bool Screenshot(const fs::path& path) {
    const json png = Session("GET", "/screenshot");
    if (!png.is_string()) return false;
    fs::create_directories(path.parent_path());
    return test_support::WriteAll(path, DecodeBase64(png.get<std::string>()));
  }

 private:
  pid_t driver_ = -1;
  std::unique_ptr<httplib::Client> client_;
  std::string session_;
};

class PageTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    const std::string error = browser_.Start(dir_ / "chromedriver.log");
    ASSERT_EQ(error, "") << test_support::ReadAll(dir_ / "chromedriver.log");
    base_ = "http://127.0.0.1:" + std::to_string(port());
  }

  static fs::path ScreenshotPath(const std::string& name) {
    return fs::path(SAREA_BIN_DIR).parent_path() / "screenshots" / name;
  }

  Browser browser_;
  std::string base_;
};

constexpr char kOptions[] =
    "return Array.from(document.querySelectorAll('#suggestions [role=option]'))"
    ".map(o => [o.firstChild.textContent, o.lastChild.textContent]);";

TEST_F(PageTest, TypingSuggestsAndChoosingShowsHighlightedResults) {
  browser_.Go(base_ + "/");
  browser_.Type("#q", "crea");
  const json options = browser_.WaitFor(kOptions);
  ASSERT_TRUE(options.is_array()) << "no suggestions appeared";
  std::set<std::string> langs, words;
  for (const json& o : options) {
    words.insert(o[0].get<std::string>());
    langs.insert(o[1].get<std::string>());
  }
  EXPECT_EQ(langs, (std::set<std::string>{"en", "es"})) << options.dump();
  EXPECT_TRUE(words.count("creatividad") && words.count("creativity")) << options.dump();
  EXPECT_EQ(browser_.Run("return document.getElementById('q').getAttribute('aria-expanded')"),
            "true");
  EXPECT_TRUE(browser_.Screenshot(ScreenshotPath("suggestions.png")));

  // The first suggestion, chosen with the keyboard.
  browser_.Type("#q", std::string(kArrowDown) + kEnter);
  const json marked = browser_.WaitFor(
      "const r = document.querySelectorAll('#results li');"
      "return r.length && document.querySelector('#results mark') ? r.length : 0;");
  ASSERT_TRUE(marked.is_number()) << browser_.Run("return document.body.innerText");
  const std::string chosen = options[0][0];
  EXPECT_EQ(browser_.Run("return new URLSearchParams(location.search).get('q')"), chosen);
  EXPECT_EQ(browser_.Run("return document.querySelector('#results mark').textContent.toLowerCase()"
                         ".startsWith('creativ')"),
            true);
  EXPECT_EQ(browser_.Run("return document.querySelectorAll('#results .translation').length > 0"),
            true)
      << "each seed passage shows its translation beside it";
  EXPECT_EQ(browser_.Run("return document.getElementById('suggestions').hidden"), true);
  EXPECT_TRUE(browser_.Screenshot(ScreenshotPath("results.png")));
}

TEST_F(PageTest, StateLivesInTheUrlWithFilterPagesAndDidYouMean) {
  browser_.Go(base_ + "/?q=cinma");
  ASSERT_TRUE(browser_.WaitFor("return document.querySelector('#did-you-mean a')").is_object());
  browser_.Click("#did-you-mean a");
  ASSERT_TRUE(browser_
                  .WaitFor("return new URLSearchParams(location.search).get('q') === 'cinema' "
                           "&& document.querySelectorAll('#results li').length")
                  .is_number());

  // The language filter shows counts and narrows the results.
  const json links = browser_.Run(
      "return Array.from(document.querySelectorAll('#languages a')).map(a => a.textContent)");
  EXPECT_EQ(links, json({"All languages (2)", "English (1)", "Español (1)"}));
  browser_.Click("#languages a:last-child");
  ASSERT_TRUE(browser_
                  .WaitFor("return location.search.includes('lang=es') && "
                           "document.querySelectorAll('#results li').length === 1")
                  .is_boolean());
  browser_.Run("history.back()");
  ASSERT_TRUE(browser_
                  .WaitFor("return !location.search.includes('lang=') && "
                           "document.querySelectorAll('#results li').length === 2")
                  .is_boolean());

  // Pages: 25 lantern records, 10 a page.
  browser_.Go(base_ + "/?q=lantern");
  ASSERT_TRUE(browser_.WaitFor("return document.querySelector('#pages a[rel=next]')").is_object());
  browser_.Click("#pages a[rel=next]");
  ASSERT_TRUE(browser_
                  .WaitFor("return location.search.includes('page=2') && "
                           "document.getElementById('status').textContent.includes('11–20')")
                  .is_boolean())
      << browser_.Run("return document.getElementById('status').textContent");

  // No results, and an error, each said in words.
  browser_.Go(base_ + "/?q=zzqqxxvv");
  // The status says "Searching…" until the answer is in: wait past it.
  EXPECT_EQ(browser_.WaitFor("const t = document.getElementById('status').textContent;"
                             "return t !== 'Searching…' && t"),
            "No results for “zzqqxxvv”.");
  browser_.Go(base_ + "/?q=" + std::string(1100, 'a'));
  EXPECT_EQ(browser_.WaitFor("const s = document.getElementById('status');"
                             "return s.classList.contains('error') && s.textContent"),
            "The search failed: q is longer than 1024 bytes");
}

TEST_F(PageTest, EscapeClosesSuggestionsAndPhoneWidthFits) {
  browser_.Resize(390, 844);
  browser_.Go(base_ + "/");
  browser_.Type("#q", "gastronomia");
  ASSERT_TRUE(browser_.WaitFor(kOptions).is_array());
  browser_.Type("#q", "\xEE\x80\x8C");  // Escape, U+E00C
  EXPECT_TRUE(
      browser_.WaitFor("return document.getElementById('suggestions').hidden").is_boolean());
  browser_.Type("#q", kEnter);
  ASSERT_TRUE(
      browser_.WaitFor("return document.querySelectorAll('#results li').length").is_number());
  EXPECT_EQ(browser_.Run("return document.documentElement.scrollWidth <= window.innerWidth"), true)
      << "no sideways scrolling on a phone";
  EXPECT_TRUE(browser_.Screenshot(ScreenshotPath("phone.png")));
}

}  // namespace
}  // namespace sarea::server_test
