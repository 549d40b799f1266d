//! Links the release binary with packed relative relocations where the platform has them
//! (glibc 2.36 and GNU ld 2.38 or newer): the dynamic loader then reads about 2 KB of
//! relocations at start instead of some 200 KB.
fn main() {
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if linux_gnu && std::env::var("PROFILE").as_deref() == Ok("release") {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
