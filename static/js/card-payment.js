/*
 * Card payment of a purchase with Stripe's Payment Element.
 *
 * Markup (shop/templates/shop/checkout/pay.html): a form marked data-card-payment with
 *   data-publishable-key   the platform's Stripe publishable key
 *   data-client-secret     the PaymentIntent's client secret
 *   data-return-url        absolute address Stripe sends the consumer to afterwards
 *   data-locale            the page's language ("el", "en")
 *   data-message-*         the translated messages shown in the page
 * and inside it #payment-element, the error region #card-payment-errors (role="alert"),
 * the status line #card-payment-status and the submit button marked data-pay-button.
 * The card is typed into Stripe's own frame and sent by Stripe.js to Stripe: it never
 * reaches our server.
 */
(function () {
    "use strict";

    var form = document.querySelector("[data-card-payment]");
    if (!form) {
        return;
    }
    var errors = document.getElementById("card-payment-errors");
    var status = document.getElementById("card-payment-status");
    var button = form.querySelector("[data-pay-button]");

    function showError(text) {
        errors.textContent = "";
        var paragraph = document.createElement("p");
        paragraph.className = "alert alert-danger";
        paragraph.textContent = text;
        errors.appendChild(paragraph);
    }

    function clearError() {
        errors.textContent = "";
    }

    if (typeof window.Stripe !== "function") {
        showError(form.getAttribute("data-message-unavailable"));
        return;
    }

    var stripe = window.Stripe(form.getAttribute("data-publishable-key"));
    var elements = stripe.elements({
        clientSecret: form.getAttribute("data-client-secret"),
        locale: form.getAttribute("data-locale") || "auto"
    });
    var paymentElement = elements.create("payment");
    paymentElement.mount("#payment-element");
    paymentElement.on("ready", function () {
        button.disabled = false;
    });
    paymentElement.on("loaderror", function () {
        showError(form.getAttribute("data-message-unavailable"));
    });

    form.addEventListener("submit", function (event) {
        event.preventDefault();
        clearError();
        button.disabled = true;
        status.textContent = form.getAttribute("data-message-processing");
        // On success the browser goes to return_url; we only get here on an error.
        stripe.confirmPayment({
            elements: elements,
            confirmParams: {return_url: form.getAttribute("data-return-url")}
        }).then(function (result) {
            status.textContent = "";
            button.disabled = false;
            var error = result.error || {};
            var shown = error.type === "card_error" || error.type === "validation_error";
            showError(shown && error.message ? error.message : form.getAttribute("data-message-failed"));
        });
    });
}());
