// Switchyard dashboard: the few interactions that need a script (no inline script anywhere;
// the page's CSP allows only this file). Everything else is plain forms and links.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const csrf = document.querySelector("main")?.dataset.csrf || "";

  // Copy buttons: <button data-copy="element-id">.
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copy)?.textContent || "";
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch {
        const range = document.createRange();
        range.selectNodeContents(document.getElementById(button.dataset.copy));
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
        button.textContent = "Selected: press Ctrl+C";
      }
    });
  });

  // Buttons that ask first: <button data-confirm="…">.
  document.querySelectorAll("button[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });

  // Live tables: <tbody data-refresh="/ui/…/rows"> reloads every 2 s (the server escapes every value).
  document.querySelectorAll("tbody[data-refresh]").forEach((body) => {
    setInterval(async () => {
      try {
        const response = await fetch(body.dataset.refresh, { credentials: "same-origin" });
        if (response.ok) body.innerHTML = await response.text();
      } catch { /* the next tick tries again */ }
    }, 2000);
  });

  const playground = document.getElementById("playground");
  if (playground) setUpPlayground(playground, csrf);
});

function setUpPlayground(form, csrf) {
  const $ = (id) => document.getElementById(id);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = $("pg-answer");
    const send = $("pg-send");
    answer.textContent = "";
    for (const id of ["pg-route", "pg-served", "pg-provider", "pg-tokens", "pg-cost", "pg-request"]) $(id).textContent = "…";
    send.disabled = true;
    const messages = [];
    if ($("pg-system").value.trim()) messages.push({ role: "system", content: $("pg-system").value });
    messages.push({ role: "user", content: $("pg-message").value });
    try {
      const response = await fetch("/ui/playground/chat", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ model: $("pg-model").value, messages }),
      });
      const requestID = response.headers.get("x-request-id") || "–";
      $("pg-request").textContent = requestID;
      $("pg-route").textContent = response.headers.get("x-switchyard-route") || "–";
      $("pg-served").textContent = response.headers.get("x-switchyard-model") || "–";
      $("pg-provider").textContent = response.headers.get("x-switchyard-provider") || "–";
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        answer.textContent = "Error " + response.status + ": " + (body.error?.message || response.statusText);
        return;
      }
      await readStream(response, answer, (usage) => {
        $("pg-tokens").textContent = usage.prompt_tokens + " in, " + usage.completion_tokens + " out";
      });
      $("pg-cost").textContent = await metered(requestID);
    } catch (error) {
      answer.textContent = "Error: " + error;
    } finally {
      send.disabled = false;
    }
  });
}

// Reads an OpenAI chat stream (server-sent events), appending each delta as text.
async function readStream(response, answer, onUsage) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") return;
        const chunk = JSON.parse(data);
        if (chunk.error) { answer.textContent += "\n[error] " + chunk.error.message; return; }
        const delta = chunk.choices?.[0]?.delta?.content;
        if (delta) answer.textContent += delta;
        if (chunk.usage) onUsage(chunk.usage);
      }
    }
  }
}

// The request's cost once the ledger has it (written within moments of the answer).
async function metered(requestID) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await fetch("/ui/playground/requests/" + encodeURIComponent(requestID), { credentials: "same-origin" });
    const body = await response.json();
    if (body.found) return body.cost;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return "–";
}
