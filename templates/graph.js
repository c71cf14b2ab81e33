(function () {
  "use strict";
  var blob = document.getElementById("bm-radius");
  var svg = document.getElementById("bm-diagram");
  var pick = document.getElementById("bm-vendor");
  var status = document.getElementById("bm-status");
  var detail = document.getElementById("bm-detail");
  if (!blob || !svg || !pick) { return; }
  var radii = [];
  try { radii = JSON.parse(blob.textContent).radii || []; } catch (e) { return; }
  function find(id) {
    for (var i = 0; i < radii.length; i++) {
      if (radii[i].vendor === id) { return radii[i]; }
    }
    return null;
  }
  function mark(id, cls) {
    var el = document.getElementById(id);
    if (el) { el.classList.add(cls); }
  }
  function apply(id) {
    var r = find(id);
    var old = svg.querySelectorAll(".hl, .target");
    for (var i = 0; i < old.length; i++) { old[i].classList.remove("hl", "target"); }
    if (r) {
      r.nodes.forEach(function (n) { mark(n, "hl"); });
      r.edges.forEach(function (e) { mark(e, "hl"); });
      mark(r.target, "target");
    }
    svg.classList.toggle("has-hl", !!r);
    svg.setAttribute("data-highlight", r ? r.vendor : "");
    pick.value = r ? r.vendor : "";
    if (status) {
      status.textContent = r
        ? r.name + ": severity " + r.severity + ", " + r.field_count + " field" +
          (r.field_count === 1 ? "" : "s") + " exposed" +
          (r.field_count === 0 ? "" : " (" + r.fields.join(", ") +
            (r.field_count > r.fields.length
              ? ", and " + (r.field_count - r.fields.length) + " more: blastmap blast " +
                r.vendor + " lists them all"
              : "") + ")")
        : "Pick a vendor to highlight its blast radius.";
    }
  }
  function wanted() {
    var m = /(?:^#|[#&?])vendor=([^&#]*)/.exec(location.hash) ||
      /(?:^\?|[?&])vendor=([^&#]*)/.exec(location.search);
    if (!m) { return null; }
    try { return decodeURIComponent(m[1].replace(/\+/g, " ")); } catch (e) { return null; }
  }
  pick.addEventListener("change", function () {
    apply(pick.value);
    try {
      history.replaceState(null, "", pick.value ? "#vendor=" + encodeURIComponent(pick.value) : "#");
    } catch (e) { /* some browsers refuse it on file:// pages; the view is updated anyway */ }
  });
  window.addEventListener("hashchange", function () {
    var v = wanted();
    if (v !== null) { apply(v); }
  });
  svg.addEventListener("click", function (ev) {
    var n = ev.target && ev.target.closest ? ev.target.closest(".node") : null;
    if (!n || !detail) { return; }
    var t = n.querySelector("title");
    detail.textContent = t ? t.textContent : "";
  });
  svg.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target && ev.target.classList && ev.target.classList.contains("node")) {
      var t = ev.target.querySelector("title");
      if (detail) { detail.textContent = t ? t.textContent : ""; }
    }
  });
  var start = wanted();
  if (start !== null) { apply(start); }
}());
