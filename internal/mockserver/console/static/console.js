// The mock console's only script: tables marked data-poll refresh themselves
// from a small JSON endpoint while the page is open (paused while hidden).
"use strict";
(function () {
  // Picking dates on the statistics page means a custom range.
  document.querySelectorAll('input[type="date"]').forEach(function (input) {
    input.addEventListener("change", function () {
      const custom = input.form && input.form.querySelector('input[name="range"][value="custom"]');
      if (custom) custom.checked = true;
    });
  });
  const tables = document.querySelectorAll("table[data-poll]");
  tables.forEach(function (table) {
    const url = table.getAttribute("data-poll");
    const body = table.tBodies[0];
    const status = table.closest(".card, main").querySelector("[data-live]");
    let sig = table.getAttribute("data-sig");
    let busy = false;
    async function poll() {
      if (busy || document.hidden) return;
      busy = true;
      try {
        const res = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
        if (!res.ok) throw new Error("HTTP " + res.status);
        const data = await res.json();
        if (data.sig !== sig) {
          body.innerHTML = data.rows;
          if (body.rows.length > 0) body.rows[0].classList.add("fresh");
        }
        sig = data.sig;
        document.querySelectorAll("[data-shown]").forEach(function (e) { e.textContent = data.shown; });
        document.querySelectorAll("[data-logged]").forEach(function (e) { e.textContent = data.logged; });
        table.setAttribute("data-sig", sig);
        if (status) status.textContent = "live";
      } catch (e) {
        if (status) status.textContent = "paused: " + e.message;
      } finally {
        busy = false;
      }
    }
    poll();
    setInterval(poll, 1000);
  });
})();
