//! `kenar-chat oauth`: exchange an authorization code for an access token, log in from the
//! terminal, refresh stored tokens, and list or forget them.

mod doctor;
mod exchange;
mod stored;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::cli::report::Verbosity;
use crate::cli::settings::Settings;
use doctor::DoctorArgs;
use exchange::{LoginArgs, TokenArgs};
use stored::{ForgetArgs, RefreshArgs, TokensArgs};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  kenar-chat oauth login --client-id my-app --redirect-uri http://127.0.0.1:8765/callback \\
      --post-chats AZf3Uqr3 --open
  kenar-chat oauth token --client-id my-app --post-chats AZf3Uqr3 \\
      --code 'https://my-app.example/callback?state=S&code=C' --state S
  kenar-chat oauth refresh --conversation CONVERSATION_ID
  kenar-chat oauth tokens")]
pub struct OauthArgs {
    #[command(subcommand)]
    pub command: OauthCommand,
}

#[derive(Debug, Subcommand)]
pub enum OauthCommand {
    /// Exchange an authorization code for an access token, and store the token
    Token(Box<TokenArgs>),
    /// Ask the user for scopes in the browser, wait for the redirect, and store the token
    Login(Box<LoginArgs>),
    /// Replace stored tokens of the current platform by new ones, with their refresh tokens
    Refresh(Box<RefreshArgs>),
    /// List the stored tokens: profile, expiry and scopes, never the secrets
    Tokens(TokensArgs),
    /// Remove stored tokens
    Forget(ForgetArgs),
    /// Check the profile's OAuth setup, one line per check with its fix; sends no message
    /// and changes no stored token
    Doctor(Box<DoctorArgs>),
}

pub fn run(args: OauthArgs, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    match args.command {
        OauthCommand::Token(args) => exchange::exchange_code(*args, settings, verbosity),
        OauthCommand::Login(args) => exchange::login(*args, settings, verbosity),
        OauthCommand::Refresh(args) => stored::refresh_stored(&args, settings, verbosity),
        OauthCommand::Tokens(args) => stored::list(&args),
        OauthCommand::Forget(args) => stored::forget(&args, settings),
        OauthCommand::Doctor(args) => doctor::run(&args, settings, verbosity),
    }
}
