//! Builds the web UI (`web/`, Vue + Vite) into `web/dist` when it is missing or older than its
//! sources, so that `cargo build` alone yields a binary with the UI inside. Without Node.js
//! the server is built without the UI (and says so when asked for a page).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn newest(dir: &Path) -> Option<SystemTime> {
    let mut best = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let p = entry.path();
        let t = if p.is_dir() {
            newest(&p)
        } else {
            entry.metadata().ok()?.modified().ok()
        };
        best = best.max(t);
    }
    best
}

fn main() {
    let web: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    for f in [
        "src",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
    ] {
        println!("cargo:rerun-if-changed={}", web.join(f).display());
    }
    // A missing or replaced build output also reruns this script.
    println!(
        "cargo:rerun-if-changed={}",
        web.join("dist/index.html").display()
    );
    println!("cargo:rerun-if-env-changed=MINGJING_SKIP_WEB_BUILD");
    if std::env::var_os("MINGJING_SKIP_WEB_BUILD").is_some() {
        return;
    }
    let index = web.join("dist/index.html");
    let built = std::fs::metadata(&index).and_then(|m| m.modified()).ok();
    let sources = [
        newest(&web.join("src")),
        std::fs::metadata(web.join("package.json"))
            .and_then(|m| m.modified())
            .ok(),
    ]
    .into_iter()
    .flatten()
    .max();
    if built.is_some() && built >= sources {
        return;
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    if !web.join("node_modules").exists() {
        let ok = Command::new(npm)
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&web)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!(
                "cargo:warning=npm ci failed or Node.js is missing: the server is built without the web UI"
            );
            return;
        }
    }
    let ok = Command::new(npm)
        .args(["run", "build"])
        .current_dir(&web)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        println!(
            "cargo:warning=the web UI did not build (npm run build): the server is built without it"
        );
    }
}
