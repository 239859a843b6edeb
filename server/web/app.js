// sarea's search page: a search box with suggestions, results beside their
// translations, a language filter, "did you mean" and pages. The state lives
// in the URL (?q=&lang=&page=), so a search can be bookmarked and shared.
// Everything from the index is shown as text, except snippets, which the
// server sends as escaped HTML with <mark> around matches.
"use strict";

(() => {
  const PAGE_SIZE = 10;
  const SUGGEST_DELAY_MS = 60;
  const $ = (id) => document.getElementById(id);
  const form = $("search"), input = $("q"), list = $("suggestions");
  const status = $("status"), results = $("results"), pages = $("pages");
  const languages = $("languages"), didYouMean = $("did-you-mean");
  const languageNames = { en: "English", es: "Español", fr: "Français", pt: "Português",
                          ca: "Català", eu: "Euskara", it: "Italiano", de: "Deutsch", und: "Other" };

  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "text") node.textContent = value;
      else if (key === "html") node.innerHTML = value;  // server-escaped snippets only
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function stateFromUrl() {
    const params = new URLSearchParams(location.search);
    const page = parseInt(params.get("page") || "1", 10);
    return { q: params.get("q") || "", lang: params.get("lang") || "",
             page: Number.isFinite(page) && page > 0 ? page : 1 };
  }

  function urlFor(state) {
    const params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    if (state.lang) params.set("lang", state.lang);
    if (state.page > 1) params.set("page", String(state.page));
    const query = params.toString();
    return "/" + (query ? "?" + query : "");
  }

  // Moves to `state`: a new history entry unless `replace`.
  function go(state, replace = false) {
    const url = urlFor(state);
    if (replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    render(state);
  }

  async function getJson(url) {
    let response;
    try {
      response = await fetch(url, { headers: { Accept: "application/json" } });
    } catch (e) {
      throw new Error("The search service cannot be reached. Check your connection and try again.");
    }
    let body = null;
    try { body = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) {
      const message = body && body.error ? body.error.message : "HTTP " + response.status;
      throw new Error(message);
    }
    return body;
  }

  // ------------------------------------------------------------ results

  let searchSeq = 0;

  async function render(state) {
    input.value = state.q;
    document.title = state.q ? state.q + " — sarea" : "sarea — search the Creative Cities Network";
    results.replaceChildren();
    pages.hidden = true;
    languages.hidden = true;
    didYouMean.hidden = true;
    status.classList.remove("error");
    if (!state.q.trim()) {
      status.textContent = "";
      return;
    }
    const seq = ++searchSeq;
    status.textContent = "Searching…";
    const params = new URLSearchParams({ q: state.q, page: String(state.page), size: String(PAGE_SIZE) });
    if (state.lang) params.set("lang", state.lang);
    let found;
    try {
      found = await getJson("/api/search?" + params);
    } catch (e) {
      if (seq !== searchSeq) return;
      status.textContent = "The search failed: " + e.message;
      status.classList.add("error");
      return;
    }
    if (seq !== searchSeq) return;  // a newer search is on its way
    showLanguages(state, found.facets.lang);
    showDidYouMean(state, found.did_you_mean);
    if (found.hits.length === 0) {
      status.textContent = state.page > 1 && found.total > 0
          ? "No results on this page; there are " + found.total + " on earlier pages."
          : "No results for “" + state.q + "”" + (state.lang ? " in " + (languageNames[state.lang] || state.lang) : "") + ".";
      return;
    }
    const first = (state.page - 1) * PAGE_SIZE + 1;
    status.textContent = (found.total_exact ? "" : "About ") + found.total + " result" +
        (found.total === 1 ? "" : "s") + (found.total > PAGE_SIZE ? ", " + first + "–" + (first + found.hits.length - 1) : "") +
        " (" + Math.round(found.took_ms) + " ms)";
    for (const hit of found.hits) results.append(hitItem(hit));
    showPages(state, found.total);
  }

  function badge(lang) {
    return el("span", { class: "lang", title: languageNames[lang] || lang, text: lang });
  }

  function hitItem(hit) {
    const snippet = el("p", { class: "snippet", html: hit.snippet });
    const more = el("a", { href: "/api/passages/" + encodeURIComponent(hit.id), class: "more",
                           text: hit.title });
    const heading = el("h2", {}, [badge(hit.lang), more]);
    const main = el("div", { class: "passage" }, [heading, snippet]);
    if (hit.via === "translation") {
      main.append(el("p", { class: "via", text: "Found through its translation" }));
    }
    const hitBox = el("div", { class: "hit" }, [main]);
    let translationSnippet = null;
    if (hit.translation) {
      translationSnippet = el("p", { class: "snippet", html: hit.translation.snippet });
      hitBox.append(el("div", { class: "translation", lang: hit.translation.lang }, [
        el("p", { class: "label" }, [badge(hit.translation.lang), el("span", { text: "Translation" })]),
        translationSnippet]));
    }
    main.setAttribute("lang", hit.lang);
    // The title shows the whole passage (and its translation) in place.
    more.addEventListener("click", async (event) => {
      event.preventDefault();
      try {
        const passage = await getJson(more.getAttribute("href"));
        snippet.textContent = passage.text;
        if (passage.translation && translationSnippet) translationSnippet.textContent = passage.translation.text;
      } catch (e) {
        snippet.append(el("span", { class: "error", text: " (" + e.message + ")" }));
      }
    });
    return el("li", {}, [hitBox]);
  }

  function showLanguages(state, facets) {
    const codes = Object.keys(facets || {});
    if (codes.length === 0 && !state.lang) return;
    const total = codes.reduce((sum, code) => sum + facets[code], 0);
    const link = (lang, label) => {
      const a = el("a", { href: urlFor({ q: state.q, lang, page: 1 }), text: label });
      if (lang === state.lang) a.setAttribute("aria-current", "true");
      a.addEventListener("click", (event) => {
        event.preventDefault();
        go({ q: state.q, lang, page: 1 });
      });
      return a;
    };
    languages.replaceChildren(link("", state.lang ? "All languages" : "All languages (" + total + ")"));
    for (const code of codes.sort()) {
      languages.append(link(code, (languageNames[code] || code) + " (" + facets[code] + ")"));
    }
    languages.hidden = false;
  }

  function showDidYouMean(state, corrected) {
    if (!corrected) return;
    const a = el("a", { href: urlFor({ q: corrected, lang: state.lang, page: 1 }), text: corrected });
    a.addEventListener("click", (event) => {
      event.preventDefault();
      go({ q: corrected, lang: state.lang, page: 1 });
    });
    didYouMean.replaceChildren("Did you mean ", a, "?");
    didYouMean.hidden = false;
  }

  function showPages(state, total) {
    const last = Math.min(Math.ceil(total / PAGE_SIZE), 100000);
    if (last <= 1) return;
    const pageLink = (page, label, rel) => {
      if (page === state.page && !rel) return el("span", { "aria-current": "page", text: String(page) });
      const a = el("a", { href: urlFor({ ...state, page }), text: label });
      if (rel) a.setAttribute("rel", rel);
      a.addEventListener("click", (event) => {
        event.preventDefault();
        go({ ...state, page });
        window.scrollTo(0, 0);
      });
      return a;
    };
    pages.replaceChildren();
    if (state.page > 1) pages.append(pageLink(state.page - 1, "Previous", "prev"));
    const from = Math.max(1, state.page - 4), to = Math.min(last, from + 8);
    for (let p = from; p <= to; ++p) pages.append(pageLink(p, String(p)));
    if (state.page < last) pages.append(pageLink(state.page + 1, "Next", "next"));
    pages.hidden = false;
  }

  // -------------------------------------------------------- suggestions

  let suggestTimer = 0, suggestSeq = 0, active = -1;

  function options() { return Array.from(list.querySelectorAll("[role=option]")); }

  function closeSuggestions() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const all = options();
    active = index;
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", all[index].id);
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(text) {
    closeSuggestions();
    input.value = text;
    go({ q: text, lang: stateFromUrl().lang, page: 1 });
  }

  async function suggest() {
    const typed = input.value;
    const seq = ++suggestSeq;
    if (!typed.trim()) return closeSuggestions();
    const params = new URLSearchParams({ q: typed, size: "8" });
    const lang = stateFromUrl().lang;
    if (lang) params.set("lang", lang);
    let found;
    try {
      found = await getJson("/api/suggest?" + params);
    } catch (e) {
      return closeSuggestions();  // suggestions are a help, never an obstacle
    }
    if (seq !== suggestSeq || input.value !== typed) return;
    if (found.suggestions.length === 0) return closeSuggestions();
    list.replaceChildren(...found.suggestions.map((s, i) => {
      const option = el("li", { id: "suggestion-" + i, role: "option", "aria-selected": "false" },
                        [el("span", { text: s.text }), badge(s.lang)]);
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();  // keep the focus in the box
        choose(s.text);
      });
      return option;
    }));
    active = -1;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  input.addEventListener("input", () => {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(suggest, SUGGEST_DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    const all = options();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      highlight((active + 1) % all.length);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      highlight(active <= 0 ? all.length - 1 : active - 1);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();  // close the list, keep the text (a second Escape clears it)
      closeSuggestions();
    } else if (event.key === "Enter" && active >= 0 && all[active]) {
      event.preventDefault();
      choose(all[active].firstChild.textContent);
    }
  });

  input.addEventListener("blur", () => setTimeout(closeSuggestions, 100));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(suggestTimer);
    ++suggestSeq;
    closeSuggestions();
    go({ q: input.value, lang: stateFromUrl().lang, page: 1 });
  });

  window.addEventListener("popstate", () => render(stateFromUrl()));
  render(stateFromUrl());
})();
