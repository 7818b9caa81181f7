//! The `hookline` binary: `hookline serve` (and the compiler child the server runs).

use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use hookline::config::{Overrides, Settings};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "hookline",
    version,
    about = "Runs WebAssembly hooks inside a database-defined HTTP API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API. Settings come from defaults, the TOML file, HOOKLINE_* variables and
    /// these flags, later ones winning.
    Serve {
        /// TOML settings file (also HOOKLINE_CONFIG).
        #[arg(long, env = "HOOKLINE_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        host: Option<IpAddr>,
        #[arg(long)]
        port: Option<u16>,
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[arg(long)]
        database_url: Option<String>,
        /// Upload the example plugins from this directory and create the demo routes.
        #[arg(long)]
        demo_plugins: Option<PathBuf>,
    },
    /// Internal: compiles the component on standard input for the engine `--engine` describes
    /// and writes the artifact to `--out`. The server runs it as a child of itself.
    #[command(name = hookline::runtime::COMPILE_SUBCOMMAND, hide = true)]
    CompileComponent {
        #[arg(long)]
        engine: String,
        #[arg(long)]
        out: PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr (stdout carries the demo's instructions), coloured only on a terminal.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let (config, host, port, data_dir, database_url, demo_plugins) = match Cli::parse().command {
        Command::Serve {
            config,
            host,
            port,
            data_dir,
            database_url,
            demo_plugins,
        } => (config, host, port, data_dir, database_url, demo_plugins),
        Command::CompileComponent { engine, out } => {
            return hookline::runtime::compile_child_main(&engine, &out);
        }
    };
    let overrides = Overrides {
        host,
        port,
        data_dir,
        database_url,
    };
    let mut settings = match Settings::load(config.as_deref(), &overrides) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("hookline: {e}");
            std::process::exit(2);
        }
    };
    // Compile uploads in a child of this binary (see `hookline::runtime`'s compile module).
    settings.compiler_exe = std::env::current_exe().ok();
    let running = hookline::spawn(settings).await?;
    if let Some(dir) = demo_plugins {
        hookline::demo::seed(&running.state, &dir).await?;
        let base = format!("http://{}", running.addr);
        println!("demo ready — try:");
        println!("  curl {base}/hello/ada");
        println!("  curl {base}/greet/ada");
        println!(
            "  curl -X POST {base}/echo -H 'content-type: application/json' -d '{{\"email\": \"  Ada@Example.COM \"}}'"
        );
        println!(
            "  curl -X POST {base}/echo -H 'content-type: application/json' -d '{{}}'   # 400 from normalize-email"
        );
        println!(
            "  curl -X POST {base}/signup -H 'content-type: application/json' -d '{{\"email\": \"ada@example.com\", \"password\": \"correct horse\"}}'"
        );
        println!(
            "  curl -X POST {base}/login -H 'content-type: application/json' -d '{{\"email\": \"ada@example.com\", \"password\": \"correct horse\"}}'"
        );
        println!(
            "  curl -X POST {base}/slugify -H 'content-type: application/json' -d '{{\"text\": \"Crème Brûlée\"}}'"
        );
        println!("  curl {base}/keys");
    }
    tracing::info!(addr = %running.addr, "hookline listening");
    hookline::server::termination().await?;
    running.stop().await;
    tracing::info!("stopped");
    Ok(())
}
