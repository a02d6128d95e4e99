//! The two steps of building a wasm component guest from C that wasinn's build needs, over the
//! Bytecode Alliance's library crates (wit-bindgen-c, wit-component), so that no one has to
//! compile the whole wasm-tools and wit-bindgen command lines (and their test suites) for them:
//!
//!   wasinn-guest-tools bindgen-c --world PKG/WORLD --out-dir DIR WIT_PATH...
//!       C bindings for a WIT world: DIR/<world>.c, <world>.h and <world>_component_type.o,
//!       as `wit-bindgen c` writes them. WIT paths are read in order, so a package named
//!       later may use one named earlier.
//!   wasinn-guest-tools component-new MODULE.wasm --adapt NAME=ADAPTER.wasm -o OUT.wasm
//!       a core module (with its component-type section) to a validated component, as
//!       `wasm-tools component new` does.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

const USAGE: &str = "usage:
  wasinn-guest-tools bindgen-c --world PKG/WORLD --out-dir DIR WIT_PATH...
  wasinn-guest-tools component-new MODULE.wasm [--adapt NAME=ADAPTER.wasm]... -o OUT.wasm
  wasinn-guest-tools --version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bindgen-c") => bindgen_c(&args[1..]),
        Some("component-new") => component_new(&args[1..]),
        Some("--version") => {
            println!("wasinn-guest-tools {} (wit-bindgen-c 0.63, wit-component 0.262)", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        _ => Err(anyhow::anyhow!("{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasinn-guest-tools: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Splits `--flag value` pairs from positional arguments; every flag takes exactly one value.
fn parse(args: &[String], flags: &[&str]) -> Result<(Vec<(String, String)>, Vec<String>)> {
    let (mut named, mut positional) = (Vec::new(), Vec::new());
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg.starts_with('-') {
            if !flags.contains(&arg.as_str()) {
                bail!("unknown option '{arg}'\n{USAGE}");
            }
            let value = it.next().with_context(|| format!("{arg} needs a value"))?;
            named.push((arg.clone(), value.clone()));
        } else {
            positional.push(arg.clone());
        }
    }
    Ok((named, positional))
}

fn only<'a>(named: &'a [(String, String)], flag: &str) -> Result<&'a str> {
    let mut values = named.iter().filter(|(k, _)| k == flag);
    match (values.next(), values.next()) {
        (Some((_, v)), None) => Ok(v),
        (None, _) => bail!("{flag} is required\n{USAGE}"),
        _ => bail!("{flag} may be given once"),
    }
}

fn bindgen_c(args: &[String]) -> Result<()> {
    let (named, wit_paths) = parse(args, &["--world", "--out-dir"])?;
    let world = only(&named, "--world")?;
    let out_dir = PathBuf::from(only(&named, "--out-dir")?);
    if wit_paths.is_empty() {
        bail!("no WIT path given\n{USAGE}");
    }
    let mut resolve = wit_parser::Resolve::default();
    let mut packages = Vec::new();
    for path in &wit_paths {
        let (package, _) = resolve.push_path(path).with_context(|| format!("reading WIT from {path}"))?;
        packages.push(package);
    }
    let world_id = resolve.select_world(&packages, Some(world))?;
    let mut files = wit_bindgen_core::Files::default();
    wit_bindgen_c::Opts::default().build().generate(&mut resolve, world_id, &mut files)?;
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    for (name, contents) in files.iter() {
        write(&out_dir.join(name), contents)?;
    }
    Ok(())
}

fn component_new(args: &[String]) -> Result<()> {
    let (named, positional) = parse(args, &["--adapt", "-o"])?;
    let [module_path] = positional.as_slice() else {
        bail!("expected exactly one core module\n{USAGE}");
    };
    let out = only(&named, "-o")?;
    let module = read(Path::new(module_path))?;
    let mut encoder = wit_component::ComponentEncoder::default();
    encoder.module(&module).with_context(|| format!("reading {module_path}"))?;
    for (_, spec) in named.iter().filter(|(k, _)| k == "--adapt") {
        let (name, path) = spec.split_once('=').with_context(|| format!("--adapt {spec}: expected NAME=FILE"))?;
        encoder.adapter(name, &read(Path::new(path))?).with_context(|| format!("adapter {name}"))?;
    }
    let component = encoder.validate(true).encode().with_context(|| format!("encoding {module_path}"))?;
    // Validate the result on its own too, as `wasm-tools validate` did after `component new`.
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&component)
        .context("the encoded component does not validate")?;
    write(Path::new(out), &component)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn write(path: &Path, contents: &[u8]) -> Result<()> {
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}
