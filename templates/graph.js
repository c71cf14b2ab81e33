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
  // Zoom and pan: the svg fits the whole diagram into the wrap, and the
  // view group's transform (z) zooms and moves it from there; Fit is the
  // identity. The first view fits the wrap's width at a scale between a
  // readable one and the diagram's own size, from the top when it is not
  // whole (with a hint). Ctrl+wheel, pinch, buttons and keys zoom;
  // dragging, the wheel and the arrow keys move. Printing ignores z.
  var wrap = document.getElementById("bm-wrap");
  var view = document.getElementById("bm-view");
  var zoomBar = document.getElementById("bm-zoom");
  var more = document.getElementById("bm-more");
  var vb = svg.viewBox && svg.viewBox.baseVal;
  var W = vb ? vb.width : 0;
  var H = vb ? vb.height : 0;
  var z = { s: 1, x: 0, y: 0 };
  var zoomable = !!(wrap && view && W > 0 && H > 0);
  // The least scale (CSS px a diagram unit) at which a node's name is 9 px.
  var readable = (function () {
    var t = svg.querySelector(".node .l1");
    var f = t && window.getComputedStyle ? parseFloat(window.getComputedStyle(t).fontSize) : NaN;
    return 9 / (f > 0 ? f : 12.5);
  }());
  // Whether the user has zoomed, moved, fitted or picked since the first view.
  var touched = false;
  function draw() {
    view.setAttribute("transform", z.s === 1 && z.x === 0 && z.y === 0 ? "" :
      "translate(" + z.x.toFixed(2) + "," + z.y.toFixed(2) + ") scale(" + z.s.toFixed(4) + ")");
    tell();
  }
  // The hint (shown when the first view is not whole; its line stays put
  // after, so the wrap does not jump) says where the diagram runs on.
  function tell() {
    if (!more || more.hidden) { return; }
    var m = svg.getScreenCTM(), r = svg.getBoundingClientRect();
    if (!m || !m.a) { return; }
    var x0 = m.e + m.a * z.x, y0 = m.f + m.d * z.y;
    var x1 = x0 + m.a * z.s * W, y1 = y0 + m.d * z.s * H;
    var where = [];
    if (y1 > r.bottom + 1) { where.push("below"); }
    if (y0 < r.top - 1) { where.push("above"); }
    if (x1 > r.right + 1) { where.push("to the right"); }
    if (x0 < r.left - 1) { where.push("to the left"); }
    more.style.visibility = where.length ? "" : "hidden";
    var w = document.getElementById("bm-more-where");
    if (w && where.length) {
      w.textContent = where.length > 1
        ? where.slice(0, -1).join(", ") + " and " + where[where.length - 1] : where[0];
    }
  }
  // The largest zoom shows the diagram at twice its own size.
  function maxZoom() {
    var m = svg.getScreenCTM();
    return m && m.a > 0 ? Math.max(1, 2 / m.a) : 8;
  }
  function zoomAt(f, px, py) {
    touch();
    var s = Math.min(maxZoom(), Math.max(1, z.s * f));
    f = s / z.s;
    z.x = px - (px - z.x) * f;
    z.y = py - (py - z.y) * f;
    z.s = s;
    if (s === 1) { z.x = 0; z.y = 0; }
    draw();
  }
  // A point of the window in the diagram's coordinates (at the fit).
  function toDiagram(cx, cy) {
    var m = svg.getScreenCTM();
    if (!m || !m.a) { return { x: W / 2, y: H / 2 }; }
    return { x: (cx - m.e) / m.a, y: (cy - m.f) / m.d };
  }
  function fit() { z = { s: 1, x: 0, y: 0 }; draw(); }
  // The first view's scale (set by size): the wrap's width, at most the
  // diagram's own size, at least the readable scale; or, if the diagram is
  // not whole at that scale but is at a readable one, that one.
  var a = 1;
  // The wrap fills the window below its top, and no more than the diagram
  // needs at the first view's scale.
  function size() {
    var top = wrap.getBoundingClientRect().top + (window.pageYOffset || 0);
    var avail = Math.max(320, (window.innerHeight || 800) - top - 16);
    var w = wrap.clientWidth || W;
    a = Math.max(readable, Math.min(1, w / W));
    var whole = Math.min(w / W, (avail - 2) / H);
    if (H * a > avail - 2 && whole >= readable) { a = whole; }
    wrap.style.height = Math.ceil(Math.min(avail, H * a + 2)) + "px";
  }
  // The first view: whole and centred if it fits at the first scale, else
  // its top (and left, if wider) at that scale, with the hint saying so.
  function first() {
    var m = svg.getScreenCTM();
    var r = svg.getBoundingClientRect();
    if (!m || !m.a || !r.width) { fit(); return; }
    var below = H * a > r.height + 1, beside = W * a > r.width + 1;
    if (more) { more.hidden = !(below || beside); }
    if (!below && !beside) { fit(); return; }
    var s = Math.max(1, a / m.a);
    var tl = toDiagram(r.left, r.top), c = toDiagram(r.left + r.width / 2, r.top);
    z = { s: s, x: beside ? tl.x : c.x - s * W / 2, y: below ? tl.y : c.y + (r.height / m.d - s * H) / 2 };
    draw();
  }
  // Sizes the wrap and shows the first view; again if the hint, shown or
  // hidden, moved the wrap.
  function home() {
    var was = more ? more.hidden : true;
    size();
    first();
    if (more && more.hidden !== was) { size(); first(); }
  }
  // A view the user chose: a resize keeps it.
  function touch() { touched = true; }
  // Brings a set of nodes into view, as large as fits (so at least the
  // readable scale when they fit at it; never smaller than the fit, never
  // above the diagram's own size, or the readable scale if that is more).
  function show(ids) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    ids.forEach(function (id) {
      var n = document.getElementById(id);
      var b = n && n.querySelector(".box");
      var t = n && n.transform && n.transform.baseVal.consolidate();
      if (!b || !t) { return; }
      var x = t.matrix.e, y = t.matrix.f;
      var w = b.width.baseVal.value, h = b.height.baseVal.value;
      x0 = Math.min(x0, x); y0 = Math.min(y0, y);
      x1 = Math.max(x1, x + w); y1 = Math.max(y1, y + h);
    });
    var m = svg.getScreenCTM();
    if (!(x1 > x0) || !m || !m.a) { fit(); return; }
    var pad = 24;
    var s = Math.min(wrap.clientWidth / m.a / (x1 - x0 + 2 * pad),
      wrap.clientHeight / m.d / (y1 - y0 + 2 * pad));
    s = Math.min(maxZoom(), s, Math.max(1, readable) / m.a);
    if (!(s > 1)) { fit(); return; }
    var c = toDiagram(wrap.getBoundingClientRect().left + wrap.clientWidth / 2,
      wrap.getBoundingClientRect().top + wrap.clientHeight / 2);
    z = { s: s, x: c.x - s * (x0 + x1) / 2, y: c.y - s * (y0 + y1) / 2 };
    draw();
  }
  function pan(dx, dy) { touch(); z.x += dx; z.y += dy; draw(); }
  if (zoomable) {
    wrap.classList.add("zoomable");
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("aria-label", "Diagram: + and - zoom, arrow keys move, 0 fits");
    if (zoomBar) { zoomBar.hidden = false; }
    home();
    window.addEventListener("resize", function () {
      if (touched) { size(); } else { home(); }
    });
    var centre = function () {
      var r = wrap.getBoundingClientRect();
      return toDiagram(r.left + r.width / 2, r.top + r.height / 2);
    };
    if (zoomBar) {
      zoomBar.addEventListener("click", function (ev) {
        var b = ev.target && ev.target.closest ? ev.target.closest("button") : null;
        var what = b ? b.getAttribute("data-zoom") : null;
        var c = centre();
        if (what === "in") { zoomAt(1.4, c.x, c.y); }
        else if (what === "out") { zoomAt(1 / 1.4, c.x, c.y); }
        else if (what === "fit") { touch(); fit(); }
      });
    }
    // The wheel moves (Shift: sideways); with Ctrl (and a trackpad's
    // pinch, which browsers send as one) it zooms.
    wrap.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var unit = ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? wrap.clientHeight : 1;
      var dx = ev.deltaX * unit, dy = ev.deltaY * unit;
      if (ev.ctrlKey || ev.metaKey) {
        var p = toDiagram(ev.clientX, ev.clientY);
        zoomAt(Math.exp(-dy * 0.01), p.x, p.y);
        return;
      }
      if (ev.shiftKey && !dx) { dx = dy; dy = 0; }
      var m = svg.getScreenCTM();
      if (m && m.a) { pan(-dx / m.a, -dy / m.d); }
    }, { passive: false });
    wrap.addEventListener("keydown", function (ev) {
      if (ev.target !== wrap && !(ev.target && ev.target.classList &&
          ev.target.classList.contains("node"))) { return; }
      var c = centre();
      var m = svg.getScreenCTM();
      var step = m && m.a ? 80 / m.a : 80;
      var k = ev.key;
      if (k === "+" || k === "=") { zoomAt(1.4, c.x, c.y); }
      else if (k === "-" || k === "_") { zoomAt(1 / 1.4, c.x, c.y); }
      else if (k === "0") { touch(); fit(); }
      else if (k === "ArrowLeft") { pan(step, 0); }
      else if (k === "ArrowRight") { pan(-step, 0); }
      else if (k === "ArrowUp") { pan(0, step); }
      else if (k === "ArrowDown") { pan(0, -step); }
      else { return; }
      ev.preventDefault();
    });
    // Drag to move (one pointer), pinch to zoom (two).
    var ptrs = {};
    var moved = false;
    var count = function () { return Object.keys(ptrs).length; };
    wrap.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0 && ev.pointerType === "mouse") { return; }
      ptrs[ev.pointerId] = { x: ev.clientX, y: ev.clientY };
      moved = false;
    });
    wrap.addEventListener("pointermove", function (ev) {
      var p = ptrs[ev.pointerId];
      if (!p) { return; }
      var m = svg.getScreenCTM();
      if (!m || !m.a) { return; }
      if (count() === 1) {
        var dx = ev.clientX - p.x, dy = ev.clientY - p.y;
        if (!moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
        if (!moved) {
          moved = true;
          try { wrap.setPointerCapture(ev.pointerId); } catch (e) { /* not capturable */ }
          wrap.classList.add("dragging");
        }
        pan(dx / m.a, dy / m.d);
      } else if (count() === 2) {
        var ids = Object.keys(ptrs);
        var o = ptrs[ids[0] === String(ev.pointerId) ? ids[1] : ids[0]];
        var before = Math.hypot(p.x - o.x, p.y - o.y);
        var after = Math.hypot(ev.clientX - o.x, ev.clientY - o.y);
        if (before > 0) {
          var mid = toDiagram((ev.clientX + o.x) / 2, (ev.clientY + o.y) / 2);
          zoomAt(after / before, mid.x, mid.y);
        }
        moved = true;
      }
      p.x = ev.clientX;
      p.y = ev.clientY;
    });
    var up = function (ev) {
      delete ptrs[ev.pointerId];
      if (!count()) { wrap.classList.remove("dragging"); }
    };
    wrap.addEventListener("pointerup", up);
    wrap.addEventListener("pointercancel", up);
    // A drag is not a click on the node it ends on.
    wrap.addEventListener("click", function (ev) {
      if (moved) { ev.stopPropagation(); moved = false; }
    }, true);
  }
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
    if (zoomable) {
      // The status line may have grown the header: size the wrap again.
      // No vendor: back to the first view.
      if (r) { touch(); size(); show(r.nodes); } else { touched = false; home(); }
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
  if (start !== null) { apply(start); } else if (zoomable && svg.getAttribute("data-highlight")) {
    // A page written with a vendor highlighted (--vendor) keeps the first
    // view if its radius is in it, else starts on the radius.
    var hl = svg.querySelectorAll(".node.hl");
    var ids = [], box = svg.getBoundingClientRect(), out = false;
    for (var h = 0; h < hl.length; h++) {
      ids.push(hl[h].id);
      var b = hl[h].getBoundingClientRect();
      out = out || b.left < box.left - 1 || b.top < box.top - 1 ||
        b.right > box.right + 1 || b.bottom > box.bottom + 1;
    }
    if (out) { touch(); show(ids); }
  }
}());
