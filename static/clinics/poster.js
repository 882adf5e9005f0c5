// The poster's Print button (the page is printable without it, from the browser's menu).
document.querySelector("[data-print]")?.addEventListener("click", () => window.print());
