//! Renderers with no server of their own (MapLibre) send what their camera
//! is pointed at to the hosted tile vendor the repository configures:
//! Kotlin (an extension function called from another file), Swift (camera
//! calls, a tracking mode, a camera property) and TypeScript (two hosted
//! vendors). With the traps: self-hosted tiles, a vendor's style URL only
//! in a comment or a test, a constant default centre, a marker, MapLibre
//! used only in tests.

use crate::scan_support;

use std::path::Path;

use scan_support::*;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

const GRADLE: &str = r#"dependencies {
    implementation("org.maplibre.gl:android-sdk:11.8.0")
}
"#;

const MAP_CONFIG_KT: &str = r#"package com.acme.places.map

// Tiles and styles: https://api.maptiler.com/maps/streets-v2/style.json
const val MAP_STYLE_URL = "https://api.maptiler.com/maps/streets-v2/style.json?key="
const val DEFAULT_LATITUDE = 48.8566
const val DEFAULT_LONGITUDE = 2.3522
"#;

/// The same configuration, with tiles the company serves itself; MapTiler
/// appears only in a comment.
const SELF_HOSTED_CONFIG_KT: &str = r#"package com.acme.places.map

// Before the migration: https://api.maptiler.com/maps/streets-v2/style.json
const val MAP_STYLE_URL = "https://tiles.acme.example/styles/basic/style.json"
const val DEFAULT_LATITUDE = 48.8566
const val DEFAULT_LONGITUDE = 2.3522
"#;

const CAMERA_KT: &str = r#"package com.acme.places.map

import com.acme.places.model.PlaceLocation
import org.maplibre.android.camera.CameraPosition
import org.maplibre.android.camera.CameraUpdateFactory
import org.maplibre.android.geometry.LatLng
import org.maplibre.android.maps.MapLibreMap

fun MapLibreMap.moveTo(place: PlaceLocation, zoom: Double = 14.0) {
    val position = CameraPosition.Builder()
            .target(LatLng(place.latitude, place.longitude))
            .zoom(zoom)
            .build()
    animateCamera(CameraUpdateFactory.newCameraPosition(position))
}

fun MapLibreMap.showDefaultArea() {
    // easeCamera(CameraUpdateFactory.newLatLng(LatLng(user.latitude, user.longitude)))
    moveCamera(CameraUpdateFactory.newLatLngZoom(LatLng(DEFAULT_LATITUDE, DEFAULT_LONGITUDE), 5.0))
}
"#;

const NEARBY_KT: &str = r#"package com.acme.places.nearby

import com.acme.places.map.DEFAULT_PLACE
import com.acme.places.map.moveTo
import org.maplibre.android.maps.MapLibreMap

class NearbyFragment : Fragment() {
    private var mapLibreMap: MapLibreMap? = null

    private fun render(state: NearbyViewState) {
        val userLocation = state.userLocation ?: return
        mapLibreMap?.moveTo(userLocation)
    }

    private fun resetMap() {
        mapLibreMap?.moveTo(DEFAULT_PLACE)
    }
}
"#;

const CAMERA_TEST_KT: &str = r#"package com.acme.places.map

import org.maplibre.android.camera.CameraUpdateFactory
import org.maplibre.android.geometry.LatLng
import org.junit.Test

class MapCameraTest {
    private val styleUrl = "https://api.maptiler.com/maps/streets-v2/style.json"

    @Test
    fun movesToTheUser() {
        map.easeCamera(CameraUpdateFactory.newLatLng(LatLng(userLocation.latitude, userLocation.longitude)))
    }
}
"#;

fn android(root: &Path, config: &str) {
    write(root, "app/build.gradle.kts", GRADLE);
    write(
        root,
        "app/src/main/java/com/acme/places/map/MapConfig.kt",
        config,
    );
    write(
        root,
        "app/src/main/java/com/acme/places/map/MapCamera.kt",
        CAMERA_KT,
    );
    write(
        root,
        "app/src/main/java/com/acme/places/nearby/NearbyFragment.kt",
        NEARBY_KT,
    );
    write(
        root,
        "app/src/test/java/com/acme/places/map/MapCameraTest.kt",
        CAMERA_TEST_KT,
    );
}

#[test]
fn kotlin_camera_targets_reach_the_configured_tile_vendor() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    android(root, MAP_CONFIG_KT);
    let r = run(root);

    assert!(production_vendors(&r).contains("maptiler"));
    // The camera, where the place built two lines above is sent; the
    // extension function's call site in another file (imported by name);
    // not the constant default centre, the comment, the constant passed to
    // the wrapper, or the test.
    assert_eq!(
        call_fields(&r, "maptiler"),
        s(&[
            "user.location.imprecise app/src/main/java/com/acme/places/map/MapCamera.kt:14",
            "user.location.imprecise app/src/main/java/com/acme/places/nearby/NearbyFragment.kt:12",
        ])
    );
    assert!(
        call_text(
            &r,
            "maptiler",
            "app/src/main/java/com/acme/places/nearby/NearbyFragment.kt",
            12
        )
        .contains("moveTo → MapLibre camera")
    );
    assert!(
        calls(&r, "maptiler")
            .iter()
            .all(|c| !c.contains("MapCameraTest") || c.ends_with(" test"))
    );
    // MapLibre is not Mapbox: nothing goes there.
    assert!(call_fields(&r, "mapbox").is_empty());
}

#[test]
fn self_hosted_tiles_send_nothing_to_any_vendor() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // MapTiler's host only in a comment and in a test file.
    android(root, SELF_HOSTED_CONFIG_KT);
    let r = run(root);

    assert!(!production_vendors(&r).contains("maptiler"));
    assert_eq!(field_lines(&r), Vec::<String>::new());
}

const APP_SETTINGS_SWIFT: &str = r#"import Foundation

final class AppSettings {
    /// The style of every map of the app.
    let mapStyleURL = URL(string: "https://api.maptiler.com/maps/streets-v2/style.json")!
}
"#;

const MAP_VIEW_SWIFT: &str = r#"import CoreLocation
import MapLibre
import SwiftUI

struct PlaceMapView: UIViewRepresentable {
    let styleURL: URL
    let showsUserLocation: Bool

    func makeUIView(context: Context) -> MLNMapView {
        let mapView = MLNMapView(frame: .zero, styleURL: styleURL)
        mapView.delegate = context.coordinator
        // The default area, before the first location fix.
        mapView.setCenter(CLLocationCoordinate2D(latitude: 51.5072, longitude: -0.1276), animated: false)
        return mapView
    }

    func updateUIView(_ mapView: MLNMapView, context: Context) {
        if showsUserLocation {
            mapView.userTrackingMode = .follow
        } else {
            mapView.userTrackingMode = .none
        }
    }

    final class Coordinator: NSObject, MLNMapViewDelegate {
        func mapView(_ mapView: MLNMapView, didUpdate userLocation: MLNUserLocation?) {
            guard let userLocation else { return }
            // mapView.setCenter(friend.location.coordinate, animated: true)
            mapView.setCenter(userLocation.coordinate, zoomLevel: 15, animated: true)
        }

        func show(_ pin: SharedLocation, in mapView: MLNMapView) {
            mapView.centerCoordinate = pin.coordinate
        }

        func recentre(_ mapView: MLNMapView, on sharedCenter: CLLocationCoordinate2D) {
            mapView.setCenter(sharedCenter, animated: true)
            mapView.setCenter(Self.DEFAULT_CENTER, animated: false)
        }
    }
}
"#;

#[test]
fn swift_camera_calls_tracking_and_centre_reach_the_vendor() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "Places/Settings/AppSettings.swift",
        APP_SETTINGS_SWIFT,
    );
    write(root, "Places/Map/PlaceMapView.swift", MAP_VIEW_SWIFT);
    let r = run(root);

    // Tracking turned on (not off), the device's location fix, a shared
    // pin's coordinate, a centre named as such; not the literal default
    // centre, the constant one or the comment.
    assert_eq!(
        call_fields(&r, "maptiler"),
        s(&[
            "user.location.imprecise Places/Map/PlaceMapView.swift:19",
            "user.location.imprecise Places/Map/PlaceMapView.swift:29",
            "user.location.imprecise Places/Map/PlaceMapView.swift:33",
            "user.location.imprecise Places/Map/PlaceMapView.swift:37",
        ])
    );
}

const MAP_CONFIG_TS: &str = r#"export const MAPTILER_STYLE = `https://api.maptiler.com/maps/streets-v2/style.json?key=${import.meta.env.VITE_MAPTILER_KEY}`;
export const STADIA_STYLE = "https://tiles.stadiamaps.com/styles/alidade_smooth.json";
"#;

const STORE_MAP_TS: &str = r#"import maplibregl from "maplibre-gl";

const DEFAULT_CENTER: [number, number] = [2.3522, 48.8566];

export function mountStoreMap(container: HTMLElement, shops: Shop[]) {
  const map = new maplibregl.Map({
    container,
    style: "https://api.maptiler.com/maps/streets-v2/style.json",
    center: DEFAULT_CENTER,
    zoom: 4,
  });
  for (const shop of shops) {
    new maplibregl.Marker().setLngLat([shop.lng, shop.lat]).addTo(map);
  }
  navigator.geolocation.getCurrentPosition((position) => {
    map.flyTo({ center: [position.coords.longitude, position.coords.latitude], zoom: 13 });
  });
  return map;
}
"#;

const FOLLOW_TS: &str = r#"import type { Map } from "maplibre-gl";

export function followCourier(map: Map, courier: Courier) {
  map.jumpTo({ center: [courier.lastLng, courier.lastLat] });
}
"#;

const MAP_SPEC_TS: &str = r#"import maplibregl from "maplibre-gl";

it("centres on the user", () => {
  map.flyTo({ center: [user.longitude, user.latitude] });
});
"#;

#[test]
fn typescript_with_two_hosted_vendors_sends_to_the_one_a_file_names() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "web/package.json",
        r#"{ "name": "web", "dependencies": { "maplibre-gl": "^4.7.1" } }"#,
    );
    write(root, "web/src/map/config.ts", MAP_CONFIG_TS);
    write(root, "web/src/map/storeMap.ts", STORE_MAP_TS);
    write(root, "web/src/map/follow.ts", FOLLOW_TS);
    write(root, "web/src/map/storeMap.spec.ts", MAP_SPEC_TS);
    let r = run(root);

    // storeMap.ts names MapTiler's host itself: its camera goes there
    // only. follow.ts names neither, so both hosts may serve its view. The
    // markers, the constant centre and the spec send nothing.
    assert_eq!(
        call_fields(&r, "maptiler"),
        s(&[
            "user.location.imprecise web/src/map/follow.ts:4",
            "user.location.imprecise web/src/map/storeMap.ts:16",
        ])
    );
    assert_eq!(
        call_fields(&r, "stadia-maps"),
        s(&["user.location.imprecise web/src/map/follow.ts:4"])
    );
}

#[test]
fn maplibre_only_in_tests_sends_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "web/src/map/config.ts", MAP_CONFIG_TS);
    write(root, "web/src/map/storeMap.spec.ts", MAP_SPEC_TS);
    let r = run(root);
    assert!(production_vendors(&r).contains("maptiler"));
    assert_eq!(field_lines(&r), Vec::<String>::new());
}

#[test]
fn odd_renderer_files_neither_panic_nor_vary() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "web/src/map/config.ts", MAP_CONFIG_TS);
    write(
        root,
        "Places/Odd.swift",
        "import MapLibre\n\
         é.userTrackingMode = .ƒollow\n\
         mapView.userTrackingMode =\n\
         = .follow\n\
         mapView.centerCoordinate = \n\
         mapView.setCenter(\n\
         func f(_ a: MLNMapView) { a.setCenter(userLocation.coordinate, animated: true) }\n",
    );
    write(
        root,
        "app/src/main/java/Odd.kt",
        "import org.maplibre.android.maps.MapLibreMap\n\
         fun MapLibreMap.(\n\
         fun MapLibreMap.go(p: P) { easeCamera(CameraUpdateFactory.newLatLng(LatLng(p.lat, p.lng)) }\n\
         val x = LatLng(\u{202e}userLocation.latitude, userLocation.longitude)\n",
    );
    write(
        root,
        "web/src/map/odd.js",
        "import maplibregl from 'maplibre-gl';\nmap.flyTo({ center: [,,,] });\nmap.flyTo({ center: [coords.longitude, coords.latitude] });\nmap.easeTo(\n",
    );
    let a = run(root);
    let b = run(root);
    assert_eq!(field_lines(&a), field_lines(&b));
    assert!(
        field_lines(&a)
            .iter()
            .any(|f| f.starts_with("maptiler user.location.imprecise Places/Odd.swift:7"))
    );
}
