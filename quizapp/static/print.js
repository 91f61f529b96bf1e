// The login cards' "Print the cards" button (teach/cards.html); the print stylesheet in
// app.css leaves only the cards on paper.  Without script, the browser's own Print does the same.
document.getElementById("print-cards")?.addEventListener("click", () => window.print());
