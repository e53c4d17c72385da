// The score grid: spreadsheet-like keyboard movement and checking each mark as it is typed.
// The server reads marks with programs.numbers.mark_parse; this mirrors its rules only to warn
// early, and the server's answer is what counts.
"use strict";
(function () {
  const FULL_WIDTH = { "．": ".", "，": ",", "－": "-" };
  for (let i = 0; i < 10; i++) FULL_WIDTH[String.fromCharCode(0xff10 + i)] = String(i);
  const ND_WORDS = ["비공개", "not disclosed", "n/d"];
  const PLAIN = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
  const lang = document.documentElement.lang === "en" ? "en" : "ko";
  const T = {
    ko: {
      comma: "쉼표가 천 단위 구분인지 소수점인지 알 수 없습니다. 소수점(.)으로 쓰세요.",
      mixed: "구분 기호가 섞여 있습니다. 소수점 하나로 쓰세요 (예: 12.5).",
      nan: "숫자가 아닙니다.",
      neg: "점수는 음수일 수 없습니다.",
      dec: "소수점 아래 세 자리까지만 쓸 수 있습니다.",
      max: (m) => `만점 ${m}점을 넘습니다.`,
    },
    en: {
      comma: "The comma could be a thousands separator or a decimal comma; use a decimal point.",
      mixed: "Mixed separators; write one decimal point (e.g. 12.5).",
      nan: "Not a number.",
      neg: "A mark cannot be negative.",
      dec: "At most three decimal places.",
      max: (m) => `Above the maximum of ${m} points.`,
    },
  }[lang];

  function check(text, max) {
    let s = Array.from(text || "").map((c) => FULL_WIDTH[c] || c).join("").trim();
    if (s === "" || ND_WORDS.includes(s.toLowerCase())) return "";
    if (/^[-\u2212]/.test(s)) return T.neg;
    if (s.includes(",")) {
      const [whole, ...rest] = s.split(",");
      const fraction = rest.join(",");
      if (rest.length > 1 || s.includes(".")) return T.mixed;
      if (fraction.length === 3 && whole.replace(/^0+/, "") !== "") return T.comma;
      s = whole + "." + fraction;
    }
    if (!PLAIN.test(s)) return T.nan;
    const decimals = (s.split(".")[1] || "").replace(/0+$/, "");
    if (decimals.length > 3) return T.dec;
    if (max !== "" && Number(s) > Number(max)) return T.max(max);
    return "";
  }

  function inputs(grid) {
    return Array.from(grid.querySelectorAll("input.cell__input"));
  }

  function position(input) {
    const cell = input.closest("td");
    const row = cell.parentElement;
    return { row: row.rowIndex, col: Array.from(row.children).indexOf(cell) };
  }

  // Returns whether focus moved.
  function move(grid, from, dRow, dCol) {
    const here = position(from);
    if (dRow !== 0) {
      // Same column, next row that has an input there.
      for (let r = here.row + dRow; r > 0 && r < grid.rows.length; r += dRow) {
        const cell = grid.rows[r].children[here.col];
        const target = cell && cell.querySelector("input.cell__input");
        if (target) { focus(target); return true; }
      }
      return false;
    }
    const all = inputs(grid);
    const index = all.indexOf(from) + dCol;
    if (index >= 0 && index < all.length) { focus(all[index]); return true; }
    return false;
  }

  function focus(input) {
    input.focus();
    input.select();
  }

  function showCheck(input) {
    const problem = check(input.value, input.dataset.max || "");
    const cell = input.closest("td");
    cell.classList.toggle("cell--typing-error", problem !== "");
    cell.classList.toggle("cell--dirty", input.value !== (input.dataset.saved || ""));
    input.setCustomValidity(problem);
    input.title = problem;
    let hint = cell.querySelector(".cell__hint");
    if (problem && !hint) {
      hint = document.createElement("span");
      hint.className = "cell__hint";
      hint.setAttribute("role", "status");
      cell.appendChild(hint);
    }
    if (hint) hint.textContent = problem;
  }

  let lastFocused = null;
  let refocus = null;
  document.addEventListener("DOMContentLoaded", () => {
    const grid = document.getElementById("score-grid");
    if (!grid || !grid.dataset.editable) return;
    grid.addEventListener("focusin", (e) => {
      if (e.target.matches("input.cell__input")) lastFocused = e.target;
    });
    grid.addEventListener("input", (e) => {
      if (e.target.matches("input.cell__input")) showCheck(e.target);
    });
    grid.addEventListener("keydown", (e) => {
      const input = e.target;
      if (!input.matches("input.cell__input")) return;
      const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
      const atEnd = input.selectionStart === input.value.length;
      const whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
      switch (e.key) {
        case "ArrowDown": e.preventDefault(); move(grid, input, 1, 0); break;
        case "ArrowUp": e.preventDefault(); move(grid, input, -1, 0); break;
        case "ArrowLeft": if (atStart || whole) { e.preventDefault(); move(grid, input, 0, -1); } break;
        case "ArrowRight": if (atEnd || whole) { e.preventDefault(); move(grid, input, 0, 1); } break;
        case "Enter":
          e.preventDefault(); // never submit the row form from a cell
          if (check(input.value, input.dataset.max || "")) { showCheck(input); break; }
          if (!move(grid, input, e.shiftKey ? -1 : 1, 0)) {
            // Nowhere to go (last row): Enter still saves; focus comes back after the save.
            refocus = input.closest("td").id;
            input.blur();
          }
          break;
        case "Escape":
          input.value = input.dataset.saved || "";
          showCheck(input);
          break;
      }
    });
    // A value the browser already knows is wrong is not sent; the message stays beside it.
    document.body.addEventListener("htmx:confirm", (e) => {
      const input = e.detail.elt;
      if (input.matches && input.matches("input.cell__input") && check(input.value, input.dataset.max || "")) {
        e.preventDefault();
        showCheck(input);
      }
    });
    const nd = document.getElementById("mark-not-disclosed");
    if (nd) nd.addEventListener("click", () => {
      if (!lastFocused || !document.body.contains(lastFocused)) return;
      lastFocused.value = nd.dataset.word;
      lastFocused.dispatchEvent(new Event("change", { bubbles: true }));
      showCheck(lastFocused);
    });
    // After a swap, keep moving from the new input if the old one had focus.
    document.body.addEventListener("htmx:afterSwap", (e) => {
      const cell = e.detail.target;
      if (refocus) {
        const back = document.getElementById(refocus);
        const input = back && back.querySelector("input.cell__input");
        if (input) { refocus = null; focus(input); }
      }
      // The swapped-in cell (the event's target is the one it replaced) fades to normal.
      const fresh = cell && cell.id && document.getElementById(cell.id);
      if (fresh && fresh.classList.contains("cell--saved")) {
        setTimeout(() => fresh.classList.remove("cell--saved"), 2000);
      }
    });
  });
})();
