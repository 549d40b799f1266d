//! What a media message carries (protocol section 5, "Media"): the kind of file, its
//! size limit and the content it must hold. One rule for the files `send` uploads and the
//! uploads the sandbox receives.

use std::fmt;

/// What a dry run shows where the upload's media token will go.
pub const PENDING_TOKEN: &str = "(the media token the upload answers with)";
/// Bytes read to tell what a file holds.
pub const SNIFF_BYTES: usize = 8192;

/// What a media message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Video,
    Voice,
    /// Any file; Divar's `file` kind.
    File,
}

impl MediaKind {
    pub const ALL: [MediaKind; 4] = [
        MediaKind::Image,
        MediaKind::Video,
        MediaKind::Voice,
        MediaKind::File,
    ];

    /// The kind as the upload host names it in its path.
    pub fn name(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Voice => "voice",
            MediaKind::File => "file",
        }
    }

    /// The message-file field (and, with `--`, the flag) that names a file of this kind:
    /// `document` for Divar's `file`, which `--file` (a message file) already names.
    pub fn field(self) -> &'static str {
        match self {
            MediaKind::File => "document",
            other => other.name(),
        }
    }

    /// Divar's size limit for the kind, in bytes (5 MB, 50 MB, 1.5 MB, 5 MB).
    pub fn limit(self) -> u64 {
        match self {
            MediaKind::Image | MediaKind::File => 5_000_000,
            MediaKind::Video => 50_000_000,
            MediaKind::Voice => 1_500_000,
        }
    }

    /// The content type of a file whose content is `content` (or starts with it: only
    /// the first bytes are read), when it fits the kind; else what is wrong with it. One
    /// rule for the files `send` uploads and the uploads the sandbox receives.
    pub fn content_type(self, content: &[u8]) -> std::result::Result<String, String> {
        let head = &content[..content.len().min(SNIFF_BYTES)];
        let found = infer::get(head);
        let fits = match self {
            MediaKind::Image => infer::is_image(head),
            MediaKind::Video => infer::is_video(head),
            MediaKind::Voice => infer::is_audio(head) || is_ogg(head),
            MediaKind::File => true,
        };
        match found {
            Some(kind) if fits => Ok(kind.mime_type().to_owned()),
            None if self == MediaKind::File => Ok("application/octet-stream".to_owned()),
            Some(kind) => Err(format!(
                "holds {} ({}), not {}",
                kind.mime_type(),
                kind.extension(),
                self.described()
            )),
            None => Err(format!(
                "is not {}: its first bytes match no {} format kenar-chat knows",
                self.described(),
                self.name()
            )),
        }
    }

    /// The kind as a sentence names it: "an image", "a video"...
    pub fn described(self) -> &'static str {
        match self {
            MediaKind::Image => "an image",
            MediaKind::Video => "a video",
            MediaKind::Voice => "a voice recording (audio)",
            MediaKind::File => "a file",
        }
    }
}

/// Ogg (Opus or Vorbis voice notes) is a container the sniffer calls an application.
fn is_ogg(head: &[u8]) -> bool {
    head.starts_with(b"OggS")
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
