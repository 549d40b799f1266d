//! `kenar-chat icons`: Divar's icon names, which a current-platform button's icon takes.

use anyhow::Result;
use clap::Args;
use kenar_chat::{Error, icons};

use crate::cli::output;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat icons
  kenar-chat icons shipping
  kenar-chat icons 'real estate'")]
pub struct IconsArgs {
    /// Only the names that hold this text (any case; a space or '-' matches '_')
    pub filter: Option<String>,
}

pub fn run(args: &IconsArgs) -> Result<()> {
    let filter = args.filter.as_deref().unwrap_or_default();
    let names: Vec<&str> = icons::matching(filter).collect();
    if names.is_empty() {
        return Err(Error::invalid(format!(
            "no icon name holds {}; `kenar-chat icons` lists all {}",
            kenar_chat::visible::excerpt(filter),
            icons::all().count()
        ))
        .into());
    }
    output::line(&names.join("\n"))
}
