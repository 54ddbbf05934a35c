/*
 * The organisation directory's map and "sort by distance from me" button.
 *
 * The page works without this script: the list below the map is the directory. When it
 * runs, it shows the map (Leaflet and Leaflet.markercluster, served from our static
 * files) with one marker per filtered organisation that has a location, taken from the
 * JSON in #organisations-map-data, and each marker's popup links to the storefront.
 */
(function () {
    "use strict";

    function setUpLocateButton() {
        var button = document.querySelector("[data-locate-me]");
        if (!button || !navigator.geolocation) {
            return;
        }
        var form = button.form;
        var message = document.querySelector("[data-locate-message]");
        button.hidden = false;
        button.addEventListener("click", function () {
            navigator.geolocation.getCurrentPosition(
                function (position) {
                    // Three decimals (about 100 m) are enough to sort by distance.
                    form.elements.near.value =
                        position.coords.latitude.toFixed(3) + "," + position.coords.longitude.toFixed(3);
                    var sort = form.elements.sort;
                    if (!sort.querySelector('option[value="nearest"]')) {
                        sort.add(new Option(button.dataset.nearestLabel, "nearest"));
                    }
                    sort.value = "nearest";
                    form.submit();
                },
                function () {
                    if (message) {
                        message.textContent = button.dataset.error;
                    }
                },
                { timeout: 10000, maximumAge: 600000 }
            );
        });
    }

    function labelled(cluster, template) {
        // A cluster is a marker that Leaflet makes keyboard-reachable (role="button"):
        // give it a name, "5 organisations here: zoom in".
        var count = cluster.getChildCount();
        var icon = L.divIcon({
            html: "<div><span>" + count + "</span></div>",
            className: "marker-cluster marker-cluster-" + (count < 10 ? "small" : count < 100 ? "medium" : "large"),
            iconSize: L.point(40, 40),
        });
        var createIcon = icon.createIcon;
        icon.createIcon = function (oldIcon) {
            var element = createIcon.call(icon, oldIcon);
            element.setAttribute("aria-label", template.replace("{count}", count));
            return element;
        };
        return icon;
    }

    function popupContent(organisation) {
        var box = document.createElement("div");
        var link = document.createElement("a");
        link.href = organisation.url;
        link.textContent = organisation.name;
        var name = document.createElement("strong");
        name.appendChild(link);
        box.appendChild(name);
        if (organisation.region) {
            var region = document.createElement("div");
            region.textContent = organisation.region;
            box.appendChild(region);
        }
        return box;
    }

    function buildMap() {
        var wrapper = document.querySelector("[data-organisations-map]");
        var data = document.getElementById("organisations-map-data");
        if (!wrapper || !data || typeof L === "undefined" || !L.markerClusterGroup) {
            return;
        }
        var organisations = JSON.parse(data.textContent);
        wrapper.hidden = false;
        var element = document.getElementById("organisations-map");
        var options = element.dataset;
        var map = L.map(element, { zoomControl: false, scrollWheelZoom: false });
        L.control.zoom({ zoomInTitle: options.zoomIn, zoomOutTitle: options.zoomOut }).addTo(map);
        map.attributionControl.setPrefix(
            '<a href="https://leafletjs.com">Leaflet</a>'
        );
        L.tileLayer(options.tileUrl, { attribution: options.attribution, maxZoom: 18 }).addTo(map);

        var clusters = L.markerClusterGroup({
            showCoverageOnHover: false,
            iconCreateFunction: function (cluster) {
                return labelled(cluster, options.clusterLabel);
            },
        });
        var bounds = [];
        organisations.forEach(function (organisation) {
            var point = [organisation.lat, organisation.lng];
            var marker = L.marker(point, { title: organisation.name, alt: organisation.name });
            marker.bindPopup(popupContent(organisation));
            clusters.addLayer(marker);
            bounds.push(point);
        });
        if (bounds.length) {
            map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12 });
        } else {
            map.setView([38.6, 23.6], 6); // Greece
        }
        map.addLayer(clusters);
        map.on("popupopen", function (event) {
            var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
            if (close) {
                close.setAttribute("aria-label", options.closePopup);
                close.title = options.closePopup;
            }
        });
        element.dataset.markers = String(organisations.length);
    }

    function start() {
        setUpLocateButton();
        buildMap();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
