/*
 * Third-party embeds (Facebook's Page Plugin, videos…) loaded only on request.
 *
 * Markup: an element with data-consent-embed holding a button with data-consent-load.
 * Nothing is requested from the third party until the button is pressed; then the
 * element is replaced by an iframe built from its attributes:
 *   data-embed-src     the iframe's address (https only)
 *   data-embed-title   the iframe's accessible title
 *   data-embed-allow   optional: its allow attribute (e.g. "fullscreen; picture-in-picture")
 *   data-embed-width, data-embed-height   optional: its size in pixels
 * Keyboard focus moves to the iframe so that it is not lost with the button.
 */
(function () {
    "use strict";

    if (window.coopConsentEmbed) {
        return;  // the script is included once per embed; bind the clicks only once
    }

    function buildFrame(container) {
        var src = container.getAttribute("data-embed-src") || "";
        if (!/^https:\/\//i.test(src)) {
            return null;
        }
        var frame = document.createElement("iframe");
        frame.src = src;
        frame.title = container.getAttribute("data-embed-title") || "";
        var allow = container.getAttribute("data-embed-allow");
        if (allow) {
            frame.setAttribute("allow", allow);
        }
        var width = container.getAttribute("data-embed-width");
        var height = container.getAttribute("data-embed-height");
        if (width) {
            frame.width = width;
        }
        if (height) {
            frame.height = height;
        }
        frame.className = "consent-embed__frame";
        frame.style.maxWidth = "100%";
        frame.style.border = "0";
        frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
        return frame;
    }

    function load(container) {
        var frame = buildFrame(container);
        if (!frame) {
            return;
        }
        container.replaceWith(frame);
        frame.focus();
    }

    document.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("[data-consent-load]") : null;
        if (!button) {
            return;
        }
        var container = button.closest("[data-consent-embed]");
        if (container) {
            event.preventDefault();
            load(container);
        }
    });

    window.coopConsentEmbed = { load: load };
}());
