//! The sandbox's pages: self-contained HTML (inline CSS, nothing loaded from elsewhere),
//! with everything that comes from a request or a message escaped, and never shown inside
//! another site's frame, where a click could be taken from the user (clickjacking).

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse as _, Response};

const STYLE: &str = "
body { font-family: system-ui, 'Vazirmatn', 'Noto Sans Arabic', sans-serif; margin: 0;
       background: #f3f4f6; color: #1f2937; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
.card { background: #fff; border-radius: .75rem; padding: 1rem 1.25rem;
        box-shadow: 0 1px 3px rgba(0,0,0,.12); margin-bottom: 1rem; }
.error { background: #fee2e2; color: #991b1b; border-radius: .5rem; padding: .75rem 1rem;
         margin-bottom: 1rem; white-space: pre-wrap; }
.muted { color: #6b7280; font-size: .85rem; }
code, .id { font-family: ui-monospace, monospace; font-size: .85rem; overflow-wrap: anywhere; }
.panes { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.pane { background: #fff; border-radius: .75rem; padding: .75rem;
        box-shadow: 0 1px 3px rgba(0,0,0,.12); display: flex; flex-direction: column; gap: .6rem; }
.pane h3 { font-size: .9rem; margin: 0 0 .25rem; color: #374151; }
.bubble { max-width: 80%; padding: .5rem .75rem; border-radius: 1rem; line-height: 1.5;
          white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: plaintext; }
.out { align-self: flex-end; background: #a62626; color: #fff; border-bottom-right-radius: .25rem; }
.in { align-self: flex-start; background: #e5e7eb; border-bottom-left-radius: .25rem; }
.grid { display: flex; flex-direction: column; gap: .4rem; margin-top: .5rem; }
.row { display: flex; gap: .4rem; }
.row > * { flex: 1 1 0; min-width: 0; margin: 0; }
.row form .button { width: 100%; height: 100%; }
.button { display: inline-block; box-sizing: border-box; text-align: center;
          padding: .35rem .75rem; border-radius: .5rem; border: 1px solid currentColor;
          background: transparent; color: inherit; font: inherit; font-size: .9rem;
          text-decoration: none; cursor: pointer; }
.media { display: block; max-width: 100%; max-height: 20rem; border-radius: .5rem;
         color: inherit; }
.kind { font-size: .7rem; opacity: .75; margin-inline-start: .35rem; }
.delivery { font-size: .75rem; opacity: .85; margin-top: .4rem; }
.reply { display: flex; flex-direction: column; gap: .4rem; margin-top: .5rem; }
.reply textarea { font: inherit; padding: .4rem; border-radius: .5rem; border: 1px solid #d1d5db; }
.choose { display: flex; gap: .4rem; align-items: center; justify-content: space-between; }
.send { font: inherit; padding: .35rem 1.25rem; border-radius: .5rem; cursor: pointer;
        border: 1px solid #a62626; background: #a62626; color: #fff; }
.actions { display: flex; gap: .75rem; }
.actions button { font: inherit; padding: .5rem 1.5rem; border-radius: .5rem; cursor: pointer;
                  border: 1px solid #a62626; }
.approve { background: #a62626; color: #fff; } .deny { background: #fff; color: #a62626; }
";

/// No page may be framed: `frame-ancestors` for browsers that know CSP 2, and
/// `X-Frame-Options` for those that do not.
pub const NOT_FRAMED: [(header::HeaderName, &str); 2] = [
    (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// Escapes text for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page around `body`, which must already be escaped.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let title = escape(title);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n"
    );
    (status, NOT_FRAMED, Html(html)).into_response()
}

/// A page that says what is wrong; never a redirect.
pub fn error_page(status: StatusCode, title: &str, problems: &[String]) -> Response {
    let items: String = problems
        .iter()
        .map(|p| format!("<li>{}</li>", escape(p)))
        .collect();
    page(
        status,
        title,
        &format!("<div class=\"error\"><ul>{items}</ul></div>"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(escape("سلام"), "سلام");
    }
}
