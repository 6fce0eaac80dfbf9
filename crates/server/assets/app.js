// cfi staff page: plain JavaScript, no build step. The URL holds the whole state.
"use strict";

const FILTERS = ["question", "category", "country", "mentioned", "lang", "kind", "submitter", "key"];
const FACET_LABELS = { category: "Stakeholder category", country: "Submitter's country", mentioned: "Mentioned country", language: "Language", kind: "Document kind" };
const FACET_PARAM = { category: "category", country: "country", mentioned: "mentioned", language: "lang", kind: "kind" };
const PAGE_SIZE = 20;
const VIEWS = ["search", "passage", "matrix", "submissions", "brief"];
// The brief's download links: element id and `format`.
const BRIEF_FORMATS = [["brief-md", "md"], ["brief-docx", "docx"], ["brief-html", "html"]];
const $ = (id) => document.getElementById(id);
let calls = [];
let lastSearch = { key: null, body: null };
let lastBrief = { key: null, body: null };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function state() { return new URLSearchParams(location.search); }

function go(params, replace) {
  const url = "/" + (params.toString() ? "?" + params.toString() : "");
  if (replace) history.replaceState(null, "", url); else history.pushState(null, "", url);
  render();
}

function token() { return sessionStorage.getItem("cfi-staff-token"); }

// The name staff gave at sign-in, sent with their reviews as X-Reviewer ("" if none).
function reviewer() { return sessionStorage.getItem("cfi-staff-name") || ""; }

function staffHeaders() {
  const headers = {};
  if (token()) headers.Authorization = "Bearer " + token();
  return headers;
}

// `init` adds fetch options (method, body, more headers) to the staff token's header.
async function api(path, params, init) {
  const query = params && params.toString() ? "?" + params.toString() : "";
  const options = Object.assign({}, init, { headers: Object.assign(staffHeaders(), init && init.headers) });
  const response = await fetch("/api/v1" + path + query, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = body.error ? body.error.message : response.statusText;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

function searchParams(s) {
  const p = new URLSearchParams();
  if (s.get("q")) p.set("q", s.get("q"));
  for (const f of FILTERS) if (s.get(f)) p.set(f, s.get(f));
  if (s.get("semantic")) p.set("semantic", s.get("semantic"));
  return p;
}

// The "Match" control shows the URL's `semantic`: 0 words, 1 meaning, none the server's
// default (both); another value from a shared link gets an option of its own.
function renderMatch(s) {
  const select = $("semantic");
  const value = s.get("semantic") || "";
  for (const o of [...select.options]) if (o.dataset.custom) o.remove();
  if (![...select.options].some((o) => o.value === value)) {
    select.append(el("option", { value, "data-custom": "1", text: "words and meaning (" + value + ")" }));
  }
  select.value = value;
}

function questionShort(n) {
  for (const c of calls) for (const q of c.questions) if (String(q.number) === String(n)) return q.short;
  return "";
}

// Where a passage sits in its file: "p. 4", "pp. 4–6", "p. iv", "para. 12". This mirrors
// cfi_core::citation::Place (crates/core/src/citation.rs), which the API's `citation` and
// the CLI use: change both together. A label names the first page only; a range from a
// numeric label runs on from it, one from another label ("iv") is given in file pages.
function place(p) {
  const label = (p.pageLabel || "").trim();
  if (p.page && p.pageEnd && p.pageEnd > p.page) {
    const printed = /^[0-9]+$/.test(label) ? Number(label) : null;
    if (printed !== null && printed + p.pageEnd - p.page <= 4294967295) {
      return "pp. " + printed + "–" + (printed + p.pageEnd - p.page);
    }
    return "pp. " + p.page + "–" + p.pageEnd;
  }
  if (p.page) return "p. " + (label || p.page);
  return "para. " + p.paragraph;
}

// A file's format as its name says it ("PDF"), to tell a submission's files apart.
function format(file) {
  const dot = (file || "").lastIndexOf(".");
  return dot > 0 ? file.slice(dot + 1).toUpperCase() : "file";
}

// A link that opens a submission's original file, at a page where one is given.
function fileLink(submissionId, page, text, attrs) {
  const url = "/api/v1/submissions/" + encodeURIComponent(submissionId) + "/file" + (page ? "#page=" + page : "");
  const link = el("a", Object.assign({ href: url, target: "_blank", rel: "noopener", text }, attrs || {}));
  // Staff need their token sent, which a plain link cannot do.
  if (token()) link.addEventListener("click", (e) => { e.preventDefault(); openFile(submissionId, page); });
  return link;
}

// "Also in: chile.pdf (p. 4)": the other files of the submission holding this passage.
function versionsLine(h) {
  if (!h.versions || !h.versions.length) return null;
  const links = [];
  h.versions.forEach((v, i) => {
    if (i) links.push(", ");
    links.push(fileLink(v.submissionId, v.page, v.file + (v.page ? " (" + place(v) + ")" : "")));
  });
  return el("div", { class: "versions" }, "Also in: ", ...links);
}

// A question tag; one staff set says so in a small marker (the others' source is in the title).
function tags(p) {
  return p.questions.map((q) => el("span", {
    class: "tag " + q.source,
    title: "Guiding question " + q.number + " (" + q.source + ", confidence " + q.confidence.toFixed(2) + ")",
  }, "Q" + q.number + " " + questionShort(q.number), q.source === "staff" ? staffMarker() : null));
}

function staffMarker() {
  return el("span", { class: "tag-source", title: "Set by staff in a review", text: "staff" });
}

function keyMarker() {
  return el("span", { class: "key-quote", title: "Key quote: staff chose it for the report", text: "★ Key quote" });
}

// A passage's marks: the key-quote marker, then its question tags.
function marks(p) {
  return [p.key ? keyMarker() : null, ...tags(p)].filter(Boolean);
}

// The topical heading a passage sits under, shown above it (a heading naming a question
// is the first line of its text already).
function sectionHeading(p) {
  const heading = (p.heading || "").trim();
  if (!heading || (p.text || "").startsWith(heading)) return null;
  return el("div", { class: "section-heading", text: heading });
}

function meta(p) {
  const s = p.submission;
  const parts = [s.category, s.country, place(p), p.language, s.kind === "annex" ? "annex" : null].filter(Boolean);
  return el("div", { class: "meta" },
    parts.join(" · "), " ",
    s.confidential ? el("span", { class: "confidential", text: "CONFIDENTIAL" }) : null);
}

function showView(name) {
  for (const v of VIEWS) $("view-" + v).hidden = v !== name;
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.view === (name === "passage" ? "search" : name)) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  $("search-form").hidden = name === "submissions" || name === "brief";
}

function renderChips(s) {
  const box = $("filters-active");
  box.replaceChildren();
  for (const f of FILTERS) {
    if (!s.get(f)) continue;
    const label = chipLabel(f, s.get(f));
    box.append(el("button", {
      type: "button", class: "chip", "aria-label": "Remove filter " + label,
      onclick: () => { const n = state(); n.delete(f); n.delete("page"); go(n); },
    }, label + " ✕"));
  }
}

function chipLabel(filter, value) {
  if (filter === "question") return "Q" + value + " " + questionShort(value);
  if (filter === "key") return value === "true" ? "Key quotes only" : "No key quotes";
  return filter + ": " + value;
}

async function renderSearch(s) {
  showView("search");
  $("q").value = s.get("q") || "";
  renderMatch(s);
  $("group").checked = s.get("group") === "submission";
  $("key-only").checked = s.get("key") === "true";
  const page = Math.max(1, parseInt(s.get("page") || "1", 10) || 1);
  const p = searchParams(s);
  p.set("limit", PAGE_SIZE);
  p.set("offset", (page - 1) * PAGE_SIZE);
  if (s.get("group")) p.set("group", s.get("group"));
  let body;
  try {
    const key = p.toString() + "|" + (token() ? "staff" : "");
    if (lastSearch.key === key) {
      body = lastSearch.body;
    } else {
      $("summary").textContent = "Searching…";
      body = await api("/search", p);
      lastSearch = { key, body };
    }
  } catch (e) {
    $("summary").textContent = e.message;
    $("hits").replaceChildren();
    return;
  }
  const total = body.estimatedTotalHits;
  const dym = $("did-you-mean");
  dym.hidden = !body.didYouMean && !body.relaxed;
  if (body.didYouMean) {
    dym.replaceChildren("Nothing matched “" + (s.get("q") || "") + "”; showing results for ", el("strong", { text: body.didYouMean }), ".");
  } else if (body.relaxed) {
    dym.replaceChildren("No passage has all the words; these have most of them.");
  }
  const unit = s.get("group") ? "submissions" : "passages";
  const byMeaning = body.semanticHitCount || 0;
  const split = byMeaning && !s.get("group") ? " (" + (total - byMeaning) + " with the words, " + byMeaning + " close in meaning)" : "";
  $("summary").textContent = total + " " + unit + (s.get("q") ? " for “" + s.get("q") + "”" : "") + split;
  // Counts over a huge hit set are estimates: "≈" before each says so.
  const approx = body.facetsEstimated ? "≈" : "";
  renderQuestions(s, body.facetDistribution.question || {}, approx);
  renderFacets(s, body.facetDistribution, approx);
  const hits = $("hits");
  hits.replaceChildren();
  for (const h of body.hits) {
    const snippet = el("p", { class: "snippet" });
    snippet.innerHTML = h.snippet; // escaped by the server, only <mark> added
    const open = el("a", { href: "/?view=passage&id=" + encodeURIComponent(h.passageId) + "&from=" + encodeURIComponent(location.search), text: h.submission.submitter });
    open.addEventListener("click", (e) => { e.preventDefault(); openPassage(h.passageId); });
    const hit = el("li", { class: "hit" },
      el("h3", {}, open),
      meta(h),
      sectionHeading(h),
      snippet,
      hitMarks(h, h.others),
      versionsLine(h),
      h.alsoIn.length ? el("div", { class: "meta", text: "Also sent by: " + h.alsoIn.join(", ") }) : null);
    if (token()) hit.append(hitReview(h, hit));
    hits.append(hit);
  }
  if (!body.hits.length) hits.append(el("li", { class: "hit", text: "No passages match. Try fewer words, remove a filter, or check the spelling." }));
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  $("page-info").textContent = "Page " + page + " of " + pages;
  $("prev").disabled = page <= 1;
  $("next").disabled = page >= pages;
}

function hitMarks(p, others) {
  return el("div", { class: "marks" }, ...marks(p), others ? el("span", { class: "meta", text: " +" + others + " more passages in this submission" }) : null);
}

// A hit's review controls, folded: the form is built (and the passage's last review
// fetched) when staff open it.
function hitReview(h, hit) {
  const details = el("details", { class: "review-toggle" }, el("summary", { text: "Review" }));
  details.addEventListener("toggle", async () => {
    if (!details.open || details.dataset.built) return;
    details.dataset.built = "1";
    const review = await reviewOf(h.passageId);
    details.append(reviewForm(h, review, (p) => hit.querySelector(".marks").replaceWith(hitMarks(p, h.others))));
  });
  return details;
}

function renderQuestions(s, counts, approx) {
  const list = $("questions");
  list.replaceChildren();
  const numbers = [];
  for (const c of calls) for (const q of c.questions) if (!numbers.some((x) => x.number === q.number)) numbers.push(q);
  for (const q of numbers) {
    const active = s.get("question") === String(q.number);
    list.append(el("li", {}, el("button", {
      type: "button", "aria-pressed": active ? "true" : "false",
      title: q.text.en || Object.values(q.text)[0] || "",
      onclick: () => toggle("question", String(q.number)),
    }, el("span", { text: q.number + ". " + q.short }), el("span", { class: "count", text: (counts[q.number] ? approx : "") + String(counts[q.number] || 0) }))));
  }
}

function renderFacets(s, distribution, approx) {
  const box = $("facets");
  box.replaceChildren();
  for (const [name, label] of Object.entries(FACET_LABELS)) {
    const values = distribution[name] || {};
    const param = FACET_PARAM[name];
    const entries = Object.entries(values).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (s.get(param) && !values[s.get(param)]) entries.unshift([s.get(param), 0]);
    const list = el("ul", { "aria-label": label });
    for (const [value, count] of entries) {
      const active = s.get(param) === value;
      list.append(el("li", {}, el("button", {
        type: "button", "aria-pressed": active ? "true" : "false",
        onclick: () => toggle(param, value),
      }, el("span", { text: value }), el("span", { class: "count", text: (count ? approx : "") + String(count) }))));
    }
    box.append(el("h3", { text: label }), list);
  }
}

function toggle(param, value) {
  const n = state();
  if (n.get(param) === value) n.delete(param); else n.set(param, value);
  n.delete("page");
  n.delete("view");
  go(n);
}

function openPassage(id) {
  const n = new URLSearchParams();
  n.set("view", "passage");
  n.set("id", id);
  n.set("from", location.search);
  go(n);
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    const area = el("textarea", {}, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = "Copied";
  button.dataset.copied = text;
  setTimeout(() => { button.textContent = "Copy citation"; }, 2000);
}

// Saves an API answer as a file named `name`. The fetch carries the staff token, which a
// plain link cannot; a failure rejects with the server's message.
async function download(path, params, name) {
  const response = await fetch("/api/v1" + path + "?" + params.toString(), { headers: staffHeaders() });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error ? body.error.message : response.status + " " + response.statusText);
  }
  const url = URL.createObjectURL(await response.blob());
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function openFile(submissionId, page) {
  const url = "/api/v1/submissions/" + encodeURIComponent(submissionId) + "/file";
  if (!token()) { window.open(url + (page ? "#page=" + page : ""), "_blank", "noopener"); return; }
  const response = await fetch(url, { headers: { Authorization: "Bearer " + token() } });
  if (!response.ok) { alert("Cannot open the file: " + response.statusText); return; }
  const blob = URL.createObjectURL(await response.blob());
  window.open(blob + (page ? "#page=" + page : ""), "_blank", "noopener");
}

async function renderPassage(s) {
  showView("passage");
  const box = $("passage");
  box.replaceChildren(el("p", { text: "Loading…" }));
  let body, submission, similar, review;
  try {
    body = await api("/passages/" + encodeURIComponent(s.get("id")));
    [submission, similar, review] = await Promise.all([
      api("/submissions/" + encodeURIComponent(body.passage.submission.id)),
      api("/passages/" + encodeURIComponent(s.get("id")) + "/similar", new URLSearchParams("limit=5")),
      reviewOf(s.get("id")),
    ]);
  } catch (e) {
    box.replaceChildren(el("p", { class: "problem", text: e.status === 404 ? "This passage does not exist or is not visible to you." : e.message }));
    return;
  }
  const p = body.passage;
  const copyButton = el("button", { type: "button", id: "copy-citation" }, "Copy citation");
  copyButton.addEventListener("click", () => copy(p.citation, copyButton));
  const original = fileLink(p.submission.id, p.page, "Open the original" + (p.page ? " at page " + p.page : ""), { id: "open-file" });
  const annexes = el("ul", {});
  for (const a of submission.annexes) annexes.append(el("li", {}, fileLink(a, null, a)));
  // The same answer as another file (another format or language).
  const versions = el("ul", { id: "versions" });
  for (const v of submission.versions) versions.append(el("li", {}, fileLink(v, null, v)));
  const similarList = el("ol", { class: "hits", id: "similar" });
  for (const h of similar.results) {
    const link = el("a", { href: "/?view=passage&id=" + encodeURIComponent(h.passageId), text: h.submission.submitter });
    link.addEventListener("click", (e) => { e.preventDefault(); openPassage(h.passageId); });
    similarList.append(el("li", { class: "hit" }, el("h3", {}, link), meta(h), el("p", { class: "snippet", text: h.text.slice(0, 300) + (h.text.length > 300 ? "…" : "") })));
  }
  if (!similar.results.length) similarList.append(el("li", { class: "meta", text: "No similar passages in other submissions." }));
  // Around the passage, a heading where a section starts (the passage's own always shows).
  let section = null;
  const newSection = (b) => {
    const heading = (b.heading || "").trim();
    const starts = heading !== section;
    section = heading;
    return starts ? sectionHeading(b) : null;
  };
  const before = body.before.flatMap((b) => [newSection(b), el("div", { class: "context", text: b.text })]);
  section = (p.heading || "").trim();
  const after = body.after.flatMap((b) => [newSection(b), el("div", { class: "context", text: b.text })]);
  // Filtered: replaceChildren would show a null as the text "null".
  box.replaceChildren(...[
    el("h2", {}, p.submission.submitter, " ", p.submission.confidential ? el("span", { class: "confidential", text: "CONFIDENTIAL" }) : null),
    el("p", { class: "meta", text: [submission.category, submission.country, submission.language, submission.pages ? submission.pages + " pages" : null, submission.received ? "received " + submission.received : null, submission.file].filter(Boolean).join(" · ") }),
    ...before,
    sectionHeading(p),
    el("div", { class: "passage-main", id: "passage-text" }, passageMarks(p), p.text),
    ...after,
    el("p", { class: "citation", id: "citation", text: p.citation }),
    el("div", { class: "actions" }, copyButton, original),
    token() ? el("h3", { text: "Review" }) : null,
    token() ? reviewForm(p, review, (now) => $("passage-marks").replaceWith(passageMarks(now))) : null,
    submission.versions.length ? el("h3", { text: "Also sent as" }) : null,
    submission.versions.length ? versions : null,
    submission.annexes.length ? el("h3", { text: "Annexes" }) : null,
    submission.annexes.length ? annexes : null,
    el("h3", { text: "Similar passages in other submissions" }),
    similarList].filter(Boolean));
}

function passageMarks(p) {
  return el("div", { class: "meta marks", id: "passage-marks" }, place(p), " ", ...marks(p));
}

// The passage's last review (its note, who, when); null when there is none, or the
// caller is not staff, or the list cannot be read (saving will say why).
async function reviewOf(id) {
  if (!token()) return null;
  try {
    return (await api("/reviews")).results.find((r) => r.passageId === id) || null;
  } catch (_) {
    return null;
  }
}

function reviewedLine(review) {
  const at = new Date(review.at);
  return "Last reviewed" + (review.by ? " by " + review.by : "") + " on " + (isNaN(at) ? review.at : at.toLocaleString()) + ".";
}

// Staff's review of a passage: the call's questions it answers (checked: its tags now),
// whether it is a key quote, a note (the last review's). Save posts the review; `onSaved`
// gets the passage as it now reads, its tags staff's.
function reviewForm(p, review, onSaved) {
  let current = p;
  const call = calls.find((c) => c.id === p.submission.call);
  // Without the call's questions (not loaded), at least the passage's own tags.
  const numbers = call ? call.questions.map((q) => q.number) : p.questions.map((q) => q.number);
  const tagged = new Set(p.questions.map((q) => q.number));
  const boxes = numbers.map((n) => el("label", { class: "check" },
    el("input", { type: "checkbox", name: "question", value: String(n), checked: tagged.has(n) }),
    " Q" + n + " " + questionShort(n)));
  const note = el("textarea", { name: "note", rows: "2", maxlength: "2000" });
  note.value = review ? review.note : "";
  const status = el("span", { class: "review-status", role: "status" }, review ? reviewedLine(review) : "");
  const save = el("button", { type: "submit" }, "Save review");
  const form = el("form", { class: "review", "aria-label": "Review this passage" },
    el("fieldset", {}, el("legend", { text: "Guiding questions it answers" }), ...boxes),
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "key", checked: p.key }), " Key quote for the report"),
    el("label", { class: "note" }, "Note for colleagues", note),
    el("div", { class: "actions" }, save, status));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const checked = [...form.querySelectorAll("input[name=question]:checked")].map((b) => Number(b.value));
    const body = { questions: questionsToSend(current, checked), key: form.elements.key.checked, note: note.value.trim() };
    save.disabled = true;
    status.className = "review-status";
    status.textContent = "Saving…";
    try {
      const answer = await postReview(current.passageId, body);
      current = answer.passage;
      status.textContent = "Saved. " + reviewedLine(answer.review);
      onSaved(current);
    } catch (err) {
      status.className = "review-status problem";
      status.textContent = "Not saved: " + (err.status === 401 ? "your staff sign-in is not valid; sign out and sign in again." : err.message);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

// The questions a review sends: null (the tagger's tags stand, with their own source) when
// staff left the tagger's tags as they were; the checked ones otherwise, and always once
// staff have set them, so that a review keeps them.
function questionsToSend(p, checked) {
  const before = p.questions.map((q) => q.number).sort((a, b) => a - b);
  const after = [...checked].sort((a, b) => a - b);
  const unchanged = before.length === after.length && before.every((n, i) => n === after[i]);
  return unchanged && !p.questions.some((q) => q.source === "staff") ? null : after;
}

async function postReview(passageId, body) {
  const headers = { "Content-Type": "application/json" };
  // Header values are Latin-1 at most: the name goes percent-encoded, as UTF-8.
  if (reviewer()) headers["X-Reviewer"] = encodeURIComponent(reviewer());
  const answer = await api("/passages/" + encodeURIComponent(passageId) + "/review", null,
    { method: "POST", headers, body: JSON.stringify(body) });
  // Tags and key quotes changed: cached searches and briefs are stale.
  lastSearch = { key: null, body: null };
  lastBrief = { key: null, body: null };
  return answer;
}

async function renderMatrix(s) {
  showView("matrix");
  $("q").value = s.get("q") || "";
  renderMatch(s);
  const table = $("matrix");
  table.replaceChildren(el("caption", { text: "Loading…" }));
  let body;
  try {
    body = await api("/matrix", searchParams(s));
  } catch (e) {
    table.replaceChildren(el("caption", { class: "problem", text: e.message }));
    return;
  }
  let max = 1;
  for (const row of Object.values(body.cells)) for (const cell of Object.values(row)) max = Math.max(max, cell.submissions);
  const head = el("tr", {}, el("th", { scope: "col", text: "Guiding question" }), ...body.categories.map((c) => el("th", { scope: "col", text: c })));
  const rows = body.questions.map((q) => {
    const label = q === 0 ? "No question tag" : q + ". " + questionShort(q);
    const cells = body.categories.map((c) => {
      const cell = (body.cells[q] || {})[c];
      if (!cell) return el("td", { class: "zero", text: "—", title: "Nobody in " + c + " addressed this" });
      const shade = 0.12 + 0.75 * (cell.submissions / max);
      const link = el("a", { href: "#", text: cell.submissions + " (" + cell.passages + ")", "aria-label": c + ", question " + q + ": " + cell.submissions + " submissions, " + cell.passages + " passages" });
      link.addEventListener("click", (e) => {
        e.preventDefault();
        const n = searchParams(s);
        if (q !== 0) n.set("question", q);
        n.set("category", c);
        go(n);
      });
      const td = el("td", {}, link);
      td.style.background = "rgba(11, 92, 173, " + shade.toFixed(2) + ")";
      if (shade > 0.5) link.style.color = "#fff";
      return td;
    });
    return el("tr", {}, el("th", { scope: "row", text: label }), ...cells);
  });
  table.replaceChildren(el("caption", { class: "visually-hidden", text: "Submissions (passages) per guiding question and stakeholder category" }), el("thead", {}, head), el("tbody", {}, ...rows));
}

async function renderSubmissions() {
  showView("submissions");
  const box = $("submissions");
  box.replaceChildren(el("p", { text: "Loading…" }));
  let body, current;
  try {
    // The calls again: what the last ingest left out depends on who asks.
    [body, current] = await Promise.all([api("/submissions", new URLSearchParams("limit=1000")), api("/calls")]);
  } catch (e) {
    box.replaceChildren(el("p", { class: "problem", text: e.message }));
    return;
  }
  const order = [];
  for (const c of calls) for (const cat of c.categories) if (!order.includes(cat)) order.push(cat);
  const byId = Object.fromEntries(body.results.map((s) => [s.id, s]));
  // A later version is a file of its submission; one whose first version the caller
  // cannot see stands for the submission itself.
  const inputs = body.results.filter((s) => s.kind === "input" && !(s.versionOf && byId[s.versionOf]));
  const parts = [el("p", { class: "muted", text: inputs.length + " submissions, " + body.total + " files" })];
  for (const call of current.results) parts.push(...leftOut(call, current.results.length > 1));
  const sections = order.map((cat) => [cat, inputs.filter((s) => s.category === cat)]);
  sections.push(["Awaiting review", inputs.filter((s) => !s.category)]);
  for (const [title, mine] of sections) {
    if (!mine.length) continue;
    const list = el("ul", {});
    for (const s of mine) {
      const versions = s.versions.map((v) => byId[v]).filter((v) => v && v.id !== s.versionOf);
      const annexes = s.annexes.map((a) => byId[a]).filter(Boolean);
      const files = [[s, "input"], ...versions.map((v) => [v, format(v.file) + " version" + (v.language && v.language !== s.language ? " (" + v.language + ")" : "")]),
        ...annexes.map((a, i) => [a, "annex" + (annexes.length > 1 ? "-" + (i + 1) : "")])];
      const links = files.map(([f, label], i) => el("span", {}, i ? " | " : "", fileLink(f.id, null, label)));
      const facts = [s.country, s.languages.join(", ") || s.language, s.pages ? s.pages + " pp." : null, s.passages + " passages"].filter(Boolean).join(" · ");
      const search = el("a", { href: "/?submitter=" + encodeURIComponent(s.submitter), text: "search" });
      list.append(el("li", {},
        el("strong", { text: s.submitter }), " ", s.confidential ? el("span", { class: "confidential", text: "CONFIDENTIAL " }) : null,
        el("span", { class: "meta", text: facts }), " — ", ...links, " · ", search,
        ...s.problems.map((p) => el("div", { class: "problem", text: p })),
        ...[...versions, ...annexes].filter((f) => f.problems.length).map((f) => el("div", { class: "problem", text: f.file + ": " + f.problems.join("; ") }))));
    }
    parts.push(el("section", { class: "subs" }, el("h3", { text: title + " (" + mine.length + ")" }), list));
  }
  box.replaceChildren(...parts);
}

// What a call's last ingest left out: rows, missing files, unlisted files. Staff see
// them named; others see how many, since they may name files sent in confidence.
function leftOut(call, named) {
  const p = call.problems;
  if (!p) return [];
  const kinds = [
    [p.manifest, "manifest row left out", "manifest rows left out"],
    [p.missingFiles, "row whose file is not in the call folder", "rows whose file is not in the call folder"],
    [p.unlistedFiles, "file in the call folder that no row names", "files in the call folder that no row names"],
  ].filter(([list]) => list.count);
  if (!kinds.length) return [];
  const section = el("section", { class: "left-out", id: "left-out-" + call.id },
    el("h3", { text: "Left out of the last ingest" + (named ? " of " + call.title : "") }));
  for (const [list, one, many] of kinds) {
    section.append(el("p", { class: "problem", text: list.count + " " + (list.count === 1 ? one : many) + (list.items ? ":" : "") }));
    if (list.items) section.append(el("ul", {}, ...list.items.map((item) => el("li", { text: item }))));
  }
  if (kinds.some(([list]) => !list.items)) section.append(el("p", { class: "muted", text: "Sign in as staff to see which." }));
  return [section];
}

// The call a brief is for: the URL's, else the first the index holds.
function briefCall(s) {
  return calls.find((c) => c.id === s.get("call")) || calls[0] || null;
}

// /brief's parameters for the URL's question and category (and call, when the index
// holds several), in `format`.
function briefParams(s, format) {
  const p = new URLSearchParams();
  p.set("question", s.get("question"));
  if (s.get("category")) p.set("category", s.get("category"));
  if (calls.length > 1 && briefCall(s)) p.set("call", briefCall(s).id);
  p.set("format", format);
  return p;
}

// Replaces a select's options; a value from the URL that is not among them gets its own.
function fillSelect(select, options, value) {
  if (value && !options.some(([v]) => v === value)) options.push([value, value]);
  select.replaceChildren(...options.map(([v, label]) => el("option", { value: v, text: label })));
  select.value = value;
}

function renderBriefControls(s) {
  const call = briefCall(s);
  $("brief-call-field").hidden = calls.length < 2;
  fillSelect($("brief-call"), calls.map((c) => [c.id, c.title]), call ? call.id : "");
  const questions = call ? call.questions.map((q) => [String(q.number), q.number + ". " + q.short]) : [];
  fillSelect($("brief-question"), [["", "Choose a question…"], ...questions], s.get("question") || "");
  const categories = call ? call.categories.map((c) => [c, c]) : [];
  fillSelect($("brief-category"), [["", "All categories"], ...categories], s.get("category") || "");
}

// Plain links for anonymous readers; staff's clicks go through `download` (see main).
function renderBriefLinks(s) {
  for (const [id, format] of BRIEF_FORMATS) {
    const link = $(id);
    link.href = "/api/v1/brief?" + briefParams(s, format).toString();
    link.setAttribute("download", "brief-q" + s.get("question") + "." + format);
  }
  $("brief-download-status").textContent = "";
}

async function renderBrief(s) {
  showView("brief");
  renderBriefControls(s);
  const box = $("brief");
  const title = $("brief-title");
  $("brief-downloads").hidden = true;
  if (!s.get("question")) {
    title.textContent = "Question brief";
    box.replaceChildren(el("p", { class: "muted", text: "Choose a guiding question: the brief gathers what each stakeholder category said on it, key quotes first, each passage in full with its citation, and names who said nothing on it." }));
    return;
  }
  const search = location.search;
  const p = briefParams(s, "json");
  const key = p.toString() + "|" + (token() ? "staff" : "");
  // The promise is kept, so the render after the call's questions arrive waits for the
  // same answer rather than asking again.
  if (lastBrief.key !== key) lastBrief = { key, body: api("/brief", p) };
  let b;
  try {
    box.replaceChildren(el("p", { text: "Loading…" }));
    b = await lastBrief.body;
  } catch (e) {
    if (lastBrief.key === key) lastBrief = { key: null, body: null };
    if (location.search !== search) return;
    title.textContent = "Question brief";
    box.replaceChildren(el("p", { class: "problem", text: e.message }));
    return;
  }
  // Another choice made while this one loaded renders itself.
  if (location.search !== search) return;
  title.textContent = "Question " + b.question + ": " + b.short + (b.category ? " — " + b.category : "");
  renderBriefLinks(s);
  $("brief-downloads").hidden = false;
  box.replaceChildren(...briefParts(b));
}

// The brief as the downloads lay it out: the question, counts, key quotes, each
// category's submissions, who said nothing.
function briefParts(b) {
  const parts = [
    el("blockquote", { class: "question-text", text: b.text }),
    el("section", { id: "brief-overview" }, el("h3", { text: "Overview" }), countsTable(b)),
  ];
  if (b.keyQuotes.length) {
    parts.push(el("section", { id: "brief-key-quotes" }, el("h3", { text: "Key quotes" }), ...b.keyQuotes.map((q) => briefPassage(q, true))));
  }
  for (const section of b.sections) {
    const submissions = section.submissions.flatMap((sub) => briefSubmission(b, sub));
    parts.push(el("section", { class: "brief-category" }, el("h3", { text: section.category }), ...submissions));
  }
  if (!b.sections.length) parts.push(el("p", { class: "muted", text: "No submission addresses this question." }));
  // Untagged passages that read like the answers: offered for staff to check and tag.
  if (b.possible.length) {
    parts.push(el("section", { id: "brief-possible" },
      el("h3", { text: "May also address this question" }),
      el("p", { class: "muted", text: "Not tagged with it: each submission's passage closest to the answers above. Open it to check, and tag it where it answers." }),
      ...b.possible.map((q) => briefPassage(q, true))));
  }
  if (b.noInput.length) {
    const names = b.noInput.map((n) => el("li", { text: n.submitter + " (" + [n.category, n.country].filter(Boolean).join(", ") + ")" }));
    parts.push(el("section", { id: "brief-no-input" }, el("h3", { text: "No input on this question from:" }), el("ul", {}, ...names)));
  }
  return parts;
}

function countsTable(b) {
  const head = el("tr", {}, ...["Stakeholder category", "Submissions on this question", "Passages"].map((t) => el("th", { scope: "col", text: t })));
  // A brief for one category leaves out the others, which count nothing there.
  const counts = b.category ? b.counts.filter((c) => c.ofSubmissions) : b.counts;
  const rows = counts.map((c) => el("tr", { class: c.submissions ? null : "zero" },
    el("th", { scope: "row", text: c.category }),
    el("td", { text: c.submissions + " of " + c.ofSubmissions }),
    el("td", { text: String(c.passages) })));
  return el("div", { class: "table-wrap" }, el("table", { class: "counts" }, el("thead", {}, head), el("tbody", {}, ...rows)));
}

// A submitter's heading and passages; "Submitter, Country" unless the submitter is the country.
function briefSubmission(b, sub) {
  const name = sub.country && sub.country !== sub.submitter ? sub.submitter + ", " + sub.country : sub.submitter;
  const parts = [
    el("h4", {}, name, sub.confidential ? " " : null, sub.confidential ? el("span", { class: "confidential", text: "CONFIDENTIAL" }) : null),
    ...sub.passages.map((q) => briefPassage(q, false)),
  ];
  if (sub.more) {
    const n = new URLSearchParams();
    n.set("question", b.question);
    n.set("submitter", sub.submitter);
    const link = el("a", { href: "/?" + n.toString(), text: sub.more + " more " + (sub.more === 1 ? "passage" : "passages") + " from " + sub.submitter + " on this question" });
    link.addEventListener("click", (e) => { e.preventDefault(); go(n); });
    parts.push(el("p", { class: "meta" }, link));
  }
  return parts;
}

// A passage in full, its marks and place, a link to it in context, and its citation.
function briefPassage(q, withSubmitter) {
  const open = el("a", { href: "/?view=passage&id=" + encodeURIComponent(q.passageId), class: "open-passage", text: "Open passage" });
  open.addEventListener("click", (e) => { e.preventDefault(); openPassage(q.passageId); });
  const where = [withSubmitter ? q.submitter : null, q.place].filter(Boolean).join(", ");
  return el("div", { class: "brief-passage" },
    el("blockquote", { text: q.text }),
    el("div", { class: "meta" },
      q.key ? keyMarker() : null, q.source === "staff" ? staffMarker() : null, q.key || q.source === "staff" ? " " : null,
      where, " · ", open,
      q.alsoFrom.length ? " · Also sent by: " + q.alsoFrom.join(", ") : null),
    el("p", { class: "citation", text: q.citation }));
}

async function render() {
  const s = state();
  const view = s.get("view") || "search";
  // Filters apply to the search and the matrix; elsewhere their chips would mislead.
  renderChips(view === "search" || view === "matrix" ? s : new URLSearchParams());
  if (view === "passage" && s.get("id")) return renderPassage(s);
  if (view === "matrix") return renderMatrix(s);
  if (view === "submissions") return renderSubmissions();
  if (view === "brief") return renderBrief(s);
  return renderSearch(s);
}

function renderStaff() {
  const signed = !!token();
  $("staff-fields").hidden = signed;
  $("staff-signout").hidden = !signed;
  $("staff-status").className = "";
  $("staff-status").textContent = signed ? "Signed in as staff" + (reviewer() ? " (" + reviewer() + ")" : "") + ": confidential submissions shown" : "";
}

// The reviewer's name as typed, spaces folded.
function reviewerName(raw) {
  return raw.replace(/\s+/g, " ").trim();
}

async function loadCalls() {
  try {
    calls = (await api("/calls")).results;
  } catch (_) {
    calls = [];
  }
  if (calls.length === 1) {
    $("call-title").textContent = calls[0].title;
    $("call-mandate").textContent = calls[0].mandate + " · call for input";
  }
}

function signInFailed(message) {
  $("staff-status").className = "problem";
  $("staff-status").textContent = "Sign-in failed: " + message;
}

// The token is tried on a route that needs no rights; a wrong one answers 401.
async function signIn(e) {
  e.preventDefault();
  const value = $("staff-token").value.trim();
  if (!value) return;
  const name = reviewerName($("staff-name").value);
  sessionStorage.setItem("cfi-staff-token", value);
  try {
    await api("/stats");
  } catch (err) {
    sessionStorage.removeItem("cfi-staff-token");
    signInFailed(err.message);
    return;
  }
  sessionStorage.setItem("cfi-staff-name", name);
  $("staff-token").value = "";
  $("staff-name").value = "";
  renderStaff();
  render();
}

// A choice in the brief's controls: the other state (query, filters) stays in the URL
// for the way back to the search.
function briefChosen() {
  const n = state();
  n.set("view", "brief");
  for (const [param, id] of [["call", "brief-call"], ["question", "brief-question"], ["category", "brief-category"]]) {
    if ($(id).value) n.set(param, $(id).value); else n.delete(param);
  }
  if (calls.length < 2) n.delete("call");
  go(n);
}

// Staff's brief must be fetched with their token (it may quote confidential submissions),
// so their click saves it through a Blob; anonymous readers follow the plain link.
function briefDownload(e) {
  if (!token()) return;
  e.preventDefault();
  const link = e.currentTarget;
  const status = $("brief-download-status");
  status.className = "";
  status.textContent = "Preparing " + link.textContent + "…";
  download("/brief", new URL(link.href).searchParams, link.getAttribute("download"))
    .then(() => { status.textContent = ""; })
    .catch((err) => { status.className = "problem"; status.textContent = "Download failed: " + err.message; });
}

document.addEventListener("DOMContentLoaded", async () => {
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const n = state();
    const view = n.get("view");
    n.set("q", $("q").value.trim());
    if (!n.get("q")) n.delete("q");
    n.delete("page");
    n.delete("id");
    n.delete("from");
    if (view !== "matrix") n.delete("view");
    go(n);
  });
  $("semantic").addEventListener("change", () => {
    const n = state();
    if ($("semantic").value) n.set("semantic", $("semantic").value); else n.delete("semantic");
    n.delete("page");
    go(n);
  });
  $("group").addEventListener("change", () => {
    const n = state();
    if ($("group").checked) n.set("group", "submission"); else n.delete("group");
    n.delete("page");
    go(n);
  });
  $("key-only").addEventListener("change", () => {
    const n = state();
    if ($("key-only").checked) n.set("key", "true"); else n.delete("key");
    n.delete("page");
    go(n);
  });
  $("prev").addEventListener("click", () => { const n = state(); n.set("page", Math.max(1, (parseInt(n.get("page") || "1", 10) || 1) - 1)); go(n); });
  $("next").addEventListener("click", () => { const n = state(); n.set("page", (parseInt(n.get("page") || "1", 10) || 1) + 1); go(n); });
  const failed = (e) => alert("Export failed: " + e.message);
  $("export-csv").addEventListener("click", () => { const p = searchParams(state()); p.set("format", "csv"); download("/export", p, "cfi-export.csv").catch(failed); });
  $("export-xlsx").addEventListener("click", () => { const p = searchParams(state()); p.set("format", "xlsx"); download("/export", p, "cfi-export.xlsx").catch(failed); });
  for (const id of ["brief-call", "brief-question", "brief-category"]) $(id).addEventListener("change", briefChosen);
  for (const [id] of BRIEF_FORMATS) $(id).addEventListener("click", briefDownload);
  $("back").addEventListener("click", (e) => { e.preventDefault(); const from = state().get("from"); go(new URLSearchParams(from || "")); });
  for (const a of document.querySelectorAll("nav a")) {
    a.addEventListener("click", (e) => {
      e.preventDefault();
      const n = searchParams(state());
      if (a.dataset.view !== "search") n.set("view", a.dataset.view);
      go(n);
    });
  }
  $("staff-form").addEventListener("submit", signIn);
  $("staff-signout").addEventListener("click", () => {
    sessionStorage.removeItem("cfi-staff-token");
    sessionStorage.removeItem("cfi-staff-name");
    renderStaff();
    render();
  });
  window.addEventListener("popstate", render);
  renderStaff();
  // The first results need not wait for the call's questions: render as soon as the
  // search answers, and again when the questions' titles arrive.
  const first = render();
  await loadCalls();
  await first;
  render();
});
