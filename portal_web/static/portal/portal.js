// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Staff open /impersonation/start/#key=...: the key stays in the fragment, which is never sent
  // to a server; copy it into the form and drop it from the address bar and history.
  function fillImpersonationKey() {
    var field = document.getElementById("impersonation-key");
    if (!field || !window.location.hash) return;
    var params = new URLSearchParams(window.location.hash.slice(1));
    var key = params.get("key");
    if (key) {
      field.value = key;
      history.replaceState(null, "", window.location.pathname);
    }
  }

  // Move-in, step 3: show the fields of the chosen kind of customer.
  function toggleIdentityFields() {
    var radios = document.querySelectorAll('input[name="kind"]');
    if (!radios.length) return;
    function update() {
      var company = document.querySelector('input[name="kind"]:checked');
      var isCompany = company && company.value === "company";
      ["company_name", "vat_number"].forEach(function (name) {
        var input = document.getElementById(name);
        if (input) input.closest(".field").hidden = !isCompany;
      });
      ["first_name", "last_name"].forEach(function (name) {
        var input = document.getElementById(name);
        if (input) input.closest(".field").hidden = isCompany;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  // A form that came back with errors: move focus to the first message so screen readers hear it.
  function focusFirstError() {
    var error = document.querySelector(".message.error, .has-error");
    if (!error) return;
    var input = error.querySelector("input, select, textarea");
    (input || error).focus({ preventScroll: false });
  }

  // Pay an invoice: copy the IBAN or payment reference, and say so to screen readers.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");  // older browsers and plain http
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = document.execCommand("copy");
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("not copied"));
  }

  function enableCopyButtons() {
    var status = document.querySelector(".copy-status");
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        copyText(button.getAttribute("data-copy")).then(function () {
          if (status) status.textContent = (status.dataset.copied || "Copied") + ": " + button.getAttribute("data-copy");
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons();
    fillImpersonationKey();
    toggleIdentityFields();
    focusFirstError();
  });
})();
