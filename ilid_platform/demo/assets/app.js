// ClampCo product page: the server sends an empty shell; this renders the product from the API.
(function () {
  "use strict";
  var match = window.location.pathname.match(/\/([^\/]+)\.html$/);
  var app = document.getElementById("app");
  if (!match || !app) {
    return;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  fetch("/api/products/" + match[1] + ".json")
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (product) {
      document.title = product.name + " | ClampCo";
      app.textContent = "";
      var crumbs = el("nav", { class: "crumbs" });
      crumbs.appendChild(el("a", { href: "/" }, "Home"));
      crumbs.appendChild(document.createTextNode(" / "));
      crumbs.appendChild(el("a", { href: product.category.url }, product.category.name));
      app.appendChild(crumbs);
      app.appendChild(el("h1", { class: "product-title" }, product.name));
      app.appendChild(el("div", { class: "sku" }, product.sku));
      var gallery = el("div", { class: "gallery" });
      product.images.forEach(function (image) {
        gallery.appendChild(el("img", { src: image.src, alt: image.alt }));
      });
      app.appendChild(gallery);
      app.appendChild(el("div", { class: "product-description" }, product.description));
      app.appendChild(el("div", { class: "brand" }, product.brand));
      app.appendChild(el("p", { class: "price" }, product.price.amount + " " + product.price.currency));
      var table = el("table", { class: "spec-table" });
      product.specs.forEach(function (spec) {
        var row = el("tr");
        row.appendChild(el("th", {}, spec.label));
        row.appendChild(el("td", {}, spec.value));
        table.appendChild(row);
      });
      app.appendChild(table);
    })
    .catch(function (error) {
      app.textContent = "Product unavailable (" + error.message + ")";
    });
})();
