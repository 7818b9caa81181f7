//! Handler that reports what ambient authority the host gave it: environment variables,
//! arguments, preopened directories and network access. Hookline grants none of them.

use hookline_sdk::{Context, HookError, Value, json};

fn handle(_ctx: &Context) -> Result<Value, HookError> {
    let env: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
    let args: Vec<String> = std::env::args().collect();
    let root = std::fs::read_dir("/")
        .map(|d| d.count())
        .map_err(|e| e.to_string());
    let cwd_file = std::fs::read_to_string("Cargo.toml").map_err(|e| e.to_string());
    let tcp = std::net::TcpStream::connect("127.0.0.1:80").map_err(|e| e.to_string());
    Ok(json!({
        "env": env,
        "args": args,
        "readRoot": root.is_ok(),
        "readFile": cwd_file.is_ok(),
        "tcpConnect": tcp.is_ok(),
        "clock": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).is_ok(),
    }))
}

hookline_sdk::export! { handler: handle }
