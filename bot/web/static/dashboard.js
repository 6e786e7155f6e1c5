// The dashboard's small scripts: the browser's time zone, the live `when` preview.
"use strict";

(function () {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !document.cookie.split("; ").includes("tz=" + encodeURIComponent(zone))) {
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    const shown = document.getElementById("zone");
    if (shown && shown.textContent !== zone) { location.reload(); return; }
  }

  const input = document.getElementById("when");
  const preview = document.getElementById("when-preview");
  if (!input || !preview) { return; }
  const form = input.form;
  let pending = null;
  let asked = 0;
  async function show() {
    const phrase = input.value.trim();
    const mine = ++asked;
    if (!phrase) { preview.textContent = ""; preview.classList.remove("bad"); return; }
    const tz = form.elements.timezone ? form.elements.timezone.value : zone;
    const query = new URLSearchParams({ phrase: phrase, tz: tz, show: "3" });
    const answer = await fetch("/api/v1/when?" + query, { credentials: "same-origin" });
    if (mine !== asked) { return; }
    const body = await answer.json();
    if (!answer.ok) {
      preview.classList.add("bad");
      preview.textContent = typeof body.detail === "string" ? body.detail : "I can't read that time.";
      return;
    }
    preview.classList.remove("bad");
    const first = new Date(body.first_run).toLocaleString([], { dateStyle: "full", timeStyle: "short" });
    preview.textContent = body.description + " — first " + first;
  }
  input.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(show, 200);
  });
  if (input.value) { show(); }
})();
