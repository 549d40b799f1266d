
use builtin;
use str;

set edit:completion:arg-completer[kenar-chat] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kenar-chat'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kenar-chat'= {
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand scope 'Compute or decode the resource ID and OAuth scope a message needs'
            cand oauth-url 'Build the authorization URL that asks a user for scopes'
            cand oauth 'Exchange codes for tokens, log in from the terminal, and manage stored tokens'
            cand send 'Send a TEXT message, with optional buttons, and print the answer'
            cand conversation 'Read a conversation of the current platform: its text messages, oldest first'
            cand icons 'List Divar''s icon names, which current-platform buttons take'
            cand completions 'Print shell completions (bash, zsh, fish, powershell, elvish)'
            cand man 'Print the manual: one roff page documenting every command and flag'
            cand sandbox 'Run a local Divar (API, OAuth, chat view) to develop and test against, offline'
            cand listen 'Receive what Divar sends the app, record it, and forward it to the app under development'
            cand trigger 'Send the app a sample of what Divar sends (an event, a server-link or dynamic-action call)'
            cand events 'Send what `listen` recorded to the app again'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kenar-chat;scope'= {
            cand -o 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --output 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand -i 'Ask at the terminal which kind of scope to compute and its IDs (instead of a command)'
            cand --interactive 'Ask at the terminal which kind of scope to compute and its IDs (instead of a command)'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand chat 'Permission to send in one chat: CHAT_SEND_MESSAGE_OAUTH__BASE64(user:post:peer)'
            cand post 'Permission to send in every chat of one post: CHAT_SEND_MESSAGE_POST_CONVERSATIONS__P, or CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P on the current platform'
            cand conversation 'Permission to send in one conversation (current platform): CONVERSATION_SEND_MESSAGE.ID'
            cand supplier 'Permission to send in every conversation where the user is the seller (current platform): CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND'
            cand bot 'Permission to send as the app''s chatbot (current platform): CHAT_BOT_USER_MESSAGE_SEND'
            cand read 'Permission to read one conversation''s text messages (current platform): CHAT_CONVERSATION_READ.ID'
            cand subscription 'Permission to subscribe to events (current platform): CHAT_POST_CONVERSATIONS_READ.P for one post''s new messages, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ for those of all the user''s posts, USER_POSTS_GET for post updates'
            cand decode 'Say what a scope string (either platform''s syntax) or a bare resource ID grants'
            cand list 'List every scope Divar defines: what it allows, the resource it takes, the endpoints it serves'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kenar-chat;scope;chat'= {
            cand --user-id 'The user the message is sent as (the one who grants access)'
            cand --post-token 'The post (ad) the chat is about'
            cand --peer-id 'The other side of the chat'
            cand -o 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --output 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;scope;post'= {
            cand --post-token 'The post (ad) whose chats the app may write in'
            cand --platform 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -o 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --output 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;scope;conversation'= {
            cand --conversation-id 'The conversation the app may write in'
            cand -o 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --output 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;scope;supplier'= {
            cand -o 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --output 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;scope;bot'= {
            cand -o 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --output 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;scope;read'= {
            cand --conversation-id 'The conversation the app may read'
            cand -o 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --output 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;scope;subscription'= {
            cand --post-token 'Watch this post: new messages in its conversations, or with --type POST_UPDATE its changes'
            cand --type 'What to be told of: NEW_MESSAGE_ON_POST (NEW_MESSAGE events) or POST_UPDATE [default: NEW_MESSAGE_ON_POST]'
            cand -o 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --output 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --all-posts 'Watch all the user''s posts: new messages in every conversation where the user is the seller, or with --type POST_UPDATE every post''s changes (not their deletion)'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;scope;decode'= {
            cand --platform 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -o 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --output 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;scope;list'= {
            cand --api-key-file 'Read the app''s API key from this file (instead of KENAR_API_KEY)'
            cand --api-key 'The API key itself (visible to other local users: prefer KENAR_API_KEY)'
            cand --base-url 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]'
            cand --timeout 'Give up on one attempt after this many seconds'
            cand --connect-timeout 'Give up connecting (TCP and TLS) after this many seconds'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --retries 'Retry up to N times when the request cannot have been delivered (429, no connection)'
            cand --max-wait 'Wait at most this many seconds in total between attempts'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -o 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --output 'What to print: labelled text, a JSON object, or just the scope or resource ID'
            cand --live 'Also ask Divar''s live catalogue (needs the API key) for each scope''s lifecycle state, and list the scopes it has that kenar-chat does not know'
            cand --retry-unsafe 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;scope;help'= {
            cand chat 'Permission to send in one chat: CHAT_SEND_MESSAGE_OAUTH__BASE64(user:post:peer)'
            cand post 'Permission to send in every chat of one post: CHAT_SEND_MESSAGE_POST_CONVERSATIONS__P, or CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P on the current platform'
            cand conversation 'Permission to send in one conversation (current platform): CONVERSATION_SEND_MESSAGE.ID'
            cand supplier 'Permission to send in every conversation where the user is the seller (current platform): CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND'
            cand bot 'Permission to send as the app''s chatbot (current platform): CHAT_BOT_USER_MESSAGE_SEND'
            cand read 'Permission to read one conversation''s text messages (current platform): CHAT_CONVERSATION_READ.ID'
            cand subscription 'Permission to subscribe to events (current platform): CHAT_POST_CONVERSATIONS_READ.P for one post''s new messages, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ for those of all the user''s posts, USER_POSTS_GET for post updates'
            cand decode 'Say what a scope string (either platform''s syntax) or a bare resource ID grants'
            cand list 'List every scope Divar defines: what it allows, the resource it takes, the endpoints it serves'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kenar-chat;scope;help;chat'= {
        }
        &'kenar-chat;scope;help;post'= {
        }
        &'kenar-chat;scope;help;conversation'= {
        }
        &'kenar-chat;scope;help;supplier'= {
        }
        &'kenar-chat;scope;help;bot'= {
        }
        &'kenar-chat;scope;help;read'= {
        }
        &'kenar-chat;scope;help;subscription'= {
        }
        &'kenar-chat;scope;help;decode'= {
        }
        &'kenar-chat;scope;help;list'= {
        }
        &'kenar-chat;scope;help;help'= {
        }
        &'kenar-chat;oauth-url'= {
            cand --client-id 'The app''s slug from the Kenar panel'
            cand --redirect-uri 'Where Divar sends the user back: absolute http(s), registered, no query string'
            cand --state 'The state echoed back on return; a random 128-bit value when not given'
            cand --auth-url 'The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth, or https://oauth.divar.ir/oauth2/auth on the current platform]'
            cand --chat 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)'
            cand --conversation 'Sending in one conversation (current; repeatable)'
            cand --post-chats 'Sending in every chat of a post, as its owner on the current platform (repeatable)'
            cand --read-conversation 'Reading one conversation''s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)'
            cand --scope 'A scope as written, such as USER_PHONE (repeatable)'
            cand --platform 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -o 'Print the URL alone (text) or {"url", "state", "scopes"} (json)'
            cand --output 'Print the URL alone (text) or {"url", "state", "scopes"} (json)'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --supplier-chats 'Sending in every conversation where the user is the seller (current)'
            cand --bot 'Sending as the app''s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)'
            cand --offline 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)'
            cand -i 'Ask at the terminal for the client ID and redirect URI when missing, and (on the legacy platform) for the scopes when no scope flag is given'
            cand --interactive 'Ask at the terminal for the client ID and redirect URI when missing, and (on the legacy platform) for the scopes when no scope flag is given'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;oauth'= {
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand token 'Exchange an authorization code for an access token, and store the token'
            cand login 'Ask the user for scopes in the browser, wait for the redirect, and store the token'
            cand refresh 'Replace stored tokens of the current platform by new ones, with their refresh tokens'
            cand tokens 'List the stored tokens: profile, expiry and scopes, never the secrets'
            cand forget 'Remove stored tokens'
            cand doctor 'Check the profile''s OAuth setup, one line per check with its fix; sends no message and changes no stored token'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kenar-chat;oauth;token'= {
            cand --code 'The code, or the whole redirect URL the browser landed on'
            cand --redirect-uri 'The redirect URI of the authorization URL (the current platform''s exchange sends it)'
            cand --state 'The state sent in the authorization URL: the redirect URL must carry it back'
            cand --chat 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)'
            cand --conversation 'Sending in one conversation (current; repeatable)'
            cand --post-chats 'Sending in every chat of a post, as its owner on the current platform (repeatable)'
            cand --read-conversation 'Reading one conversation''s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)'
            cand --scope 'A scope as written, such as USER_PHONE (repeatable)'
            cand --client-id 'The app''s slug from the Kenar panel'
            cand --platform 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]'
            cand --client-secret-file 'Read the app''s client secret from this file (instead of KENAR_CLIENT_SECRET)'
            cand --token-url 'The current platform''s token endpoint [default: https://oauth.divar.ir/oauth2/token]'
            cand --api-key-file 'Read the app''s API key from this file (instead of KENAR_API_KEY)'
            cand --api-key 'The API key itself (visible to other local users: prefer KENAR_API_KEY)'
            cand --base-url 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]'
            cand --timeout 'Give up on one attempt after this many seconds'
            cand --connect-timeout 'Give up connecting (TCP and TLS) after this many seconds'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --retries 'Retry up to N times when the request cannot have been delivered (429, no connection)'
            cand --max-wait 'Wait at most this many seconds in total between attempts'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -o 'Where the token was stored and when it expires (text) or the token answer (json)'
            cand --output 'Where the token was stored and when it expires (text) or the token answer (json)'
            cand --supplier-chats 'Sending in every conversation where the user is the seller (current)'
            cand --bot 'Sending as the app''s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)'
            cand --offline 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)'
            cand --retry-unsafe 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
            cand --show-secrets 'With -o json, print the access and refresh tokens as they are'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;oauth;login'= {
            cand --client-id 'The app''s slug from the Kenar panel'
            cand --redirect-uri 'Where Divar sends the user back: absolute http(s), registered, no query string'
            cand --state 'The state echoed back on return; a random 128-bit value when not given'
            cand --auth-url 'The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth, or https://oauth.divar.ir/oauth2/auth on the current platform]'
            cand --chat 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)'
            cand --conversation 'Sending in one conversation (current; repeatable)'
            cand --post-chats 'Sending in every chat of a post, as its owner on the current platform (repeatable)'
            cand --read-conversation 'Reading one conversation''s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)'
            cand --scope 'A scope as written, such as USER_PHONE (repeatable)'
            cand --wait 'Give up waiting for the redirect after this many seconds'
            cand --platform 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]'
            cand --client-secret-file 'Read the app''s client secret from this file (instead of KENAR_CLIENT_SECRET)'
            cand --token-url 'The current platform''s token endpoint [default: https://oauth.divar.ir/oauth2/token]'
            cand --api-key-file 'Read the app''s API key from this file (instead of KENAR_API_KEY)'
            cand --api-key 'The API key itself (visible to other local users: prefer KENAR_API_KEY)'
            cand --base-url 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]'
            cand --timeout 'Give up on one attempt after this many seconds'
            cand --connect-timeout 'Give up connecting (TCP and TLS) after this many seconds'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --retries 'Retry up to N times when the request cannot have been delivered (429, no connection)'
            cand --max-wait 'Wait at most this many seconds in total between attempts'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -o 'Where the token was stored and when it expires (text) or the token answer (json)'
            cand --output 'Where the token was stored and when it expires (text) or the token answer (json)'
            cand --supplier-chats 'Sending in every conversation where the user is the seller (current)'
            cand --bot 'Sending as the app''s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)'
            cand --offline 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)'
            cand --open 'Open the authorization URL in the default browser ($BROWSER when set)'
            cand --each-scope 'When Divar refuses the scopes with invalid_scope, ask for each scope alone and say which ones it refuses (offered at a terminal without this flag)'
            cand --retry-unsafe 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
            cand --show-secrets 'With -o json, print the access and refresh tokens as they are'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;oauth;refresh'= {
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand --chat 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)'
            cand --conversation 'Sending in one conversation (current; repeatable)'
            cand --post-chats 'Sending in every chat of a post, as its owner on the current platform (repeatable)'
            cand --read-conversation 'Reading one conversation''s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)'
            cand --scope 'A scope as written, such as USER_PHONE (repeatable)'
            cand --client-id 'The app''s slug from the Kenar panel'
            cand --client-secret-file 'Read the app''s client secret from this file (instead of KENAR_CLIENT_SECRET)'
            cand --token-url 'The current platform''s token endpoint [default: https://oauth.divar.ir/oauth2/token]'
            cand --base-url 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]'
            cand --timeout 'Give up on one attempt after this many seconds'
            cand --connect-timeout 'Give up connecting (TCP and TLS) after this many seconds'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --retries 'Retry up to N times when the request cannot have been delivered (429, no connection)'
            cand --max-wait 'Wait at most this many seconds in total between attempts'
            cand -o 'One line per refreshed token (text) or an array of {profile, scopes, expires, refreshed, access_token, refresh_token} (json)'
            cand --output 'One line per refreshed token (text) or an array of {profile, scopes, expires, refreshed, access_token, refresh_token} (json)'
            cand --supplier-chats 'Sending in every conversation where the user is the seller (current)'
            cand --bot 'Sending as the app''s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)'
            cand --offline 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)'
            cand --retry-unsafe 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
            cand --show-secrets 'With -o json, print the new access and refresh tokens as they are'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;oauth;tokens'= {
            cand --profile 'Only this profile''s tokens (every profile''s when not given)'
            cand -o 'One line per token (text) or an array of {profile, scopes, expires, expired, refreshable} (json)'
            cand --output 'One line per token (text) or an array of {profile, scopes, expires, expired, refreshable} (json)'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;oauth;forget'= {
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand --platform 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]'
            cand --chat 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)'
            cand --conversation 'Sending in one conversation (current; repeatable)'
            cand --post-chats 'Sending in every chat of a post, as its owner on the current platform (repeatable)'
            cand --read-conversation 'Reading one conversation''s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)'
            cand --scope 'A scope as written, such as USER_PHONE (repeatable)'
            cand --supplier-chats 'Sending in every conversation where the user is the seller (current)'
            cand --bot 'Sending as the app''s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)'
            cand --offline 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)'
            cand --expired 'Only tokens that have expired'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;oauth;doctor'= {
            cand --redirect-uri 'The redirect URI registered for the app'
            cand --platform 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]'
            cand --client-id 'The app''s slug from the Kenar panel'
            cand --client-secret-file 'Read the app''s client secret from this file (instead of KENAR_CLIENT_SECRET)'
            cand --token-url 'The current platform''s token endpoint [default: https://oauth.divar.ir/oauth2/token]'
            cand --api-key-file 'Read the app''s API key from this file (instead of KENAR_API_KEY)'
            cand --api-key 'The API key itself (visible to other local users: prefer KENAR_API_KEY)'
            cand --base-url 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]'
            cand --timeout 'Give up on one attempt after this many seconds'
            cand --connect-timeout 'Give up connecting (TCP and TLS) after this many seconds'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --retries 'Retry up to N times when the request cannot have been delivered (429, no connection)'
            cand --max-wait 'Wait at most this many seconds in total between attempts'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -o 'One line per check (text) or {"passed", "checks": [{"check", "passed", "detail", "fix"}]} (json)'
            cand --output 'One line per check (text) or {"passed", "checks": [{"check", "passed", "detail", "fix"}]} (json)'
            cand --retry-unsafe 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;oauth;help'= {
            cand token 'Exchange an authorization code for an access token, and store the token'
            cand login 'Ask the user for scopes in the browser, wait for the redirect, and store the token'
            cand refresh 'Replace stored tokens of the current platform by new ones, with their refresh tokens'
            cand tokens 'List the stored tokens: profile, expiry and scopes, never the secrets'
            cand forget 'Remove stored tokens'
            cand doctor 'Check the profile''s OAuth setup, one line per check with its fix; sends no message and changes no stored token'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kenar-chat;oauth;help;token'= {
        }
        &'kenar-chat;oauth;help;login'= {
        }
        &'kenar-chat;oauth;help;refresh'= {
        }
        &'kenar-chat;oauth;help;tokens'= {
        }
        &'kenar-chat;oauth;help;forget'= {
        }
        &'kenar-chat;oauth;help;doctor'= {
        }
        &'kenar-chat;oauth;help;help'= {
        }
        &'kenar-chat;send'= {
            cand --conversation-id 'The conversation to send in: the current platform (instead of --user-id, --peer-id)'
            cand --user-id 'The user the message is sent as (the one who granted access); legacy platform'
            cand --post-token 'The post (ad) the chat is about; beside --conversation-id, it lets a stored token for the post''s conversations be used'
            cand --peer-id 'The other side of the chat; legacy platform'
            cand --message 'The message text (both sides see it)'
            cand --message-file 'Read the message text from a file (''-'' for standard input); one trailing newline is dropped'
            cand --file 'A JSON message file in the API body shape (''-'' for standard input); flags override its fields'
            cand --image 'Upload this picture and send it instead of text (current platform; up to 5 MB)'
            cand --video 'Upload this video and send it instead of text (current platform; up to 50 MB)'
            cand --voice 'Upload this voice note and send it instead of text (current platform; up to 1.5 MB)'
            cand --document 'Upload this file (Divar''s "file" kind) and send it instead of text (current platform; up to 5 MB)'
            cand --media-token 'Send the media token of an earlier upload instead of text (current platform)'
            cand --upload-url 'Divar''s chat upload host, where media files go [default: https://chat.divar.ir]'
            cand --sender-button 'A button of the sender''s grid, as ''CAPTION|ICON|TARGET'': TARGET an http(s) URL to open, a JSON object for the app''s server link, ''dynamic:{JSON}'' for its dynamic action, ''post:TOKEN'' or ''manage:TOKEN'' for a post''s page or its manage page; repeatable, rows of three in order (current platform)'
            cand --receiver-button 'A button of the receiver''s grid, written as for --sender-button'
            cand --button 'A button under a chatbot message, written as for --sender-button; repeatable, rows of three in order (with --bot)'
            cand --sender-caption 'Text on the sender''s button'
            cand --sender-icon 'Icon name of the sender''s button'
            cand --sender-direct-link 'Make the sender''s button a DIRECT_LINK that opens this URL'
            cand --sender-extra-data 'Make the sender''s button a LINK carrying this JSON object back to the app'
            cand --receiver-caption 'Text on the receiver''s button'
            cand --receiver-icon 'Icon name of the receiver''s button'
            cand --receiver-direct-link 'Make the receiver''s button a DIRECT_LINK that opens this URL'
            cand --receiver-extra-data 'Make the receiver''s button a LINK carrying this JSON object back to the app'
            cand --api-key-file 'Read the app''s API key from this file (instead of KENAR_API_KEY)'
            cand --api-key 'The API key itself (visible to other local users: prefer KENAR_API_KEY)'
            cand --access-token-file 'Read the user''s access token from this file (instead of KENAR_ACCESS_TOKEN)'
            cand --access-token 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)'
            cand --base-url 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]'
            cand --timeout 'Give up on one attempt after this many seconds'
            cand --connect-timeout 'Give up connecting (TCP and TLS) after this many seconds'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --retries 'Retry up to N times when the request cannot have been delivered (429, no connection)'
            cand --max-wait 'Wait at most this many seconds in total between attempts'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -o 'A one-line confirmation (text) or the API''s answer (json); with --batch, the summary'
            cand --output 'A one-line confirmation (text) or the API''s answer (json); with --batch, the summary'
            cand --batch 'Send one message per line of this JSON Lines file (''-'' for standard input); each line is a message file, with an optional "access_token"'
            cand --concurrency 'Requests in flight at most [default: 4]'
            cand --rate 'Send at most N requests per second (N/s) or per minute (N/min)'
            cand --journal 'Record each line''s sending in this file, so that running again skips what was sent'
            cand --unreachable-limit 'Stop after N lines in a row could not reach the API or were refused as unauthorized; 0 never stops [default: 5]'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --bot 'Send as the app''s chatbot: to --conversation-id (a bot conversation), or to --user-id (the token''s own user, whose conversation with the bot it opens); current platform'
            cand --retry-unsafe 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
            cand --dry-run 'Print the request instead of sending it (secrets as ***)'
            cand --print-line 'Print the checked message as one line of a --batch file instead of sending it; needs no credentials'
            cand --show-secrets 'With --dry-run, print the API key and access token as they are'
            cand -i 'Ask at the terminal for every missing value, show the request and confirm before sending'
            cand --interactive 'Ask at the terminal for every missing value, show the request and confirm before sending'
            cand --resend-in-doubt 'Send the lines the journal holds in doubt (they may have been delivered already)'
            cand --fail-fast 'Stop at the first line that is invalid or fails, in input order (requests then go one at a time)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;conversation'= {
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Print a conversation''s text messages, oldest first: when, who, what. Divar returns text messages only; pictures, voice notes, files and other kinds are left out. Needs the scope CHAT_CONVERSATION_READ.ID and the key permission CHAT_READ_CONVERSATION'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kenar-chat;conversation;show'= {
            cand --api-key-file 'Read the app''s API key from this file (instead of KENAR_API_KEY)'
            cand --api-key 'The API key itself (visible to other local users: prefer KENAR_API_KEY)'
            cand --access-token-file 'Read the user''s access token from this file (instead of KENAR_ACCESS_TOKEN)'
            cand --access-token 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)'
            cand --base-url 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]'
            cand --timeout 'Give up on one attempt after this many seconds'
            cand --connect-timeout 'Give up connecting (TCP and TLS) after this many seconds'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --retries 'Retry up to N times when the request cannot have been delivered (429, no connection)'
            cand --max-wait 'Wait at most this many seconds in total between attempts'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -o 'The messages as lines for people (text), or the API''s answer (json)'
            cand --output 'The messages as lines for people (text), or the API''s answer (json)'
            cand --retry-unsafe 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;conversation;help'= {
            cand show 'Print a conversation''s text messages, oldest first: when, who, what. Divar returns text messages only; pictures, voice notes, files and other kinds are left out. Needs the scope CHAT_CONVERSATION_READ.ID and the key permission CHAT_READ_CONVERSATION'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kenar-chat;conversation;help;show'= {
        }
        &'kenar-chat;conversation;help;help'= {
        }
        &'kenar-chat;icons'= {
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;completions'= {
            cand --out-dir 'Write the completions of every shell into this directory instead, one file each (the directory is created when missing)'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;man'= {
            cand --out-dir 'Write the whole manual (kenar-chat.1) and one page per command (kenar-chat-send.1, ...) into this directory, creating it when needed'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;sandbox'= {
            cand --port 'Listen on this port of 127.0.0.1 (0 picks any free port)'
            cand --data 'Keep messages, tokens and credentials in this SQLite file across restarts'
            cand --api-key 'The API key apps must send (generated when not given)'
            cand --client-id 'The OAuth client (app slug) the sandbox knows'
            cand --client-secret 'That client''s secret (generated when not given)'
            cand --token-lifetime 'How long issued access tokens stay valid, in seconds'
            cand --code-lifetime 'How long an authorization code can be exchanged, in seconds (Divar: 10 minutes)'
            cand --refresh-grace 'How long the old access and refresh tokens keep working after a refresh, in seconds (Divar: 2 minutes)'
            cand --restricted-conversation 'A conversation whose recipient refuses the app''s messages: sending in it is answered 412, code 9 (repeatable)'
            cand --rate-limit 'Sends accepted per minute; past it the API answers 429 with Retry-After'
            cand --daily-limit 'Sends accepted per UTC day; past it the API answers 429 until midnight UTC'
            cand --latency 'Hold each answer back this many milliseconds, like a round trip to Divar'
            cand --session-init-url 'The app''s session initialization URL, called when a LINK button is clicked in the chat view'
            cand --dynamic-action-url 'The app''s dynamic-action URL, called when a get_dynamic_action button is clicked in the chat view (with the same authorization header as session initialization)'
            cand --events-url 'The app''s events URL: replies typed in the chat view are delivered there as NEW_MESSAGE webhooks, while a subscription covers their post'
            cand --identification-key-file 'Read the app''s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)'
            cand --closed-scope 'A scope (its permission name) not opened for the app, as at Divar for a production app: asking for it is refused with invalid_scope (repeatable)'
            cand --missing-permission 'A permission the API key lacks: requests to the endpoints needing it are answered 403, code 7 (repeatable)'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --lowercase-supplier 'Spell the seller''s key `supplier`, as older documents do, instead of `Supplier`'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;listen'= {
            cand --port 'Listen on this port (0 picks any free port)'
            cand --bind 'Listen on this address (a tunnel''s agent on this machine reaches 127.0.0.1)'
            cand --identification-key-file 'Read the app''s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)'
            cand --forward-key-file 'Read the key the local app expects in Authorization from this file (instead of KENAR_FORWARD_KEY), when it is not Divar''s'
            cand -f 'Forward events to this URL, and relay the app''s answer'
            cand --forward-to 'Forward events to this URL, and relay the app''s answer'
            cand -c 'Forward server-link and dynamic-action calls to this URL instead [default: --forward-to]'
            cand --forward-actions-to 'Forward server-link and dynamic-action calls to this URL instead [default: --forward-to]'
            cand -e 'Forward only these (comma-separated): event types, SERVER_LINK, DYNAMIC_ACTION [default: all]; the others are recorded and answered 200'
            cand --events 'Forward only these (comma-separated): event types, SERVER_LINK, DYNAMIC_ACTION [default: all]; the others are recorded and answered 200'
            cand -H 'Add this header to every forwarded request (repeatable)'
            cand --header 'Add this header to every forwarded request (repeatable)'
            cand --format 'One line per request in and out, or one JSON object a line'
            cand --log 'Keep the requests received in this JSON Lines file [default: events.jsonl in the config directory]'
            cand --max-body 'Refuse (413) bodies larger than this many bytes (at most 8 MiB, so that the event log''s records stay bounded)'
            cand --max-concurrent 'Answer 503 while this many requests are being handled'
            cand --forward-timeout 'Give the app this many seconds to answer (504 past it)'
            cand --read-timeout 'Give a caller this many seconds to send its request head, then its body (closed, or 408, past it)'
            cand --post-token 'Watch this post: new messages in its conversations, or with --type POST_UPDATE its changes'
            cand --type 'What to be told of: NEW_MESSAGE_ON_POST (NEW_MESSAGE events) or POST_UPDATE [default: NEW_MESSAGE_ON_POST]'
            cand --metadata 'The app''s own data, a JSON object, which Divar sends back in each event''s metadata'
            cand --api-key-file 'Read the app''s API key from this file (instead of KENAR_API_KEY)'
            cand --api-key 'The API key itself (visible to other local users: prefer KENAR_API_KEY)'
            cand --access-token-file 'Read the user''s access token from this file (instead of KENAR_ACCESS_TOKEN)'
            cand --access-token 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)'
            cand --base-url 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]'
            cand --timeout 'Give up on one attempt after this many seconds'
            cand --connect-timeout 'Give up connecting (TCP and TLS) after this many seconds'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --retries 'Retry up to N times when the request cannot have been delivered (429, no connection)'
            cand --max-wait 'Wait at most this many seconds in total between attempts'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --accept-any-key 'Accept every request, whatever its Authorization header, even with KENAR_IDENTIFICATION_KEY set: for trying listen on this machine, never behind a public tunnel'
            cand --divar-sources-only 'Also refuse (403) callers not at Divar''s documented addresses (78.111.6.41-43, 31.214.250.128/27); behind a tunnel on this machine, its X-Forwarded-For names them'
            cand --subscribe 'Subscribe to Divar''s events at start (--post-token or --all-posts), and again with every new stored token, refreshed by listen itself or by another run, as long as listen runs'
            cand --all-posts 'Watch all the user''s posts: new messages in every conversation where the user is the seller, or with --type POST_UPDATE every post''s changes (not their deletion)'
            cand --retry-unsafe 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;trigger'= {
            cand --file 'Send this file''s body instead of a sample'
            cand --to 'The app''s URL'
            cand --override 'Replace the value at a dotted path: PATH=TEXT or PATH:=JSON (repeatable)'
            cand --add 'Add a value at a dotted path that is not there yet (repeatable)'
            cand --remove 'Remove the value at a dotted path (repeatable)'
            cand --identification-key-file 'Read the app''s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)'
            cand --forward-key-file 'Read the key the local app expects in Authorization from this file (instead of KENAR_FORWARD_KEY), when it is not Divar''s'
            cand -H 'Add this header (repeatable)'
            cand --header 'Add this header (repeatable)'
            cand --timeout 'Give the app this many seconds to answer'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --format 'The answer as it came, or one JSON object with the status and time'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;events'= {
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand subscribe 'Ask Divar to send the app''s events URL NEW_MESSAGE or POST_UPDATE events of one post or all the user''s posts. The subscription lives as long as the access token it is made with: after a refresh, subscribe again (listen --subscribe does it itself)'
            cand replay 'Send a request `listen` recorded to the app again, body byte for byte'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kenar-chat;events;subscribe'= {
            cand --post-token 'Watch this post: new messages in its conversations, or with --type POST_UPDATE its changes'
            cand --type 'What to be told of: NEW_MESSAGE_ON_POST (NEW_MESSAGE events) or POST_UPDATE [default: NEW_MESSAGE_ON_POST]'
            cand --metadata 'The app''s own data, a JSON object, which Divar sends back in each event''s metadata'
            cand --api-key-file 'Read the app''s API key from this file (instead of KENAR_API_KEY)'
            cand --api-key 'The API key itself (visible to other local users: prefer KENAR_API_KEY)'
            cand --access-token-file 'Read the user''s access token from this file (instead of KENAR_ACCESS_TOKEN)'
            cand --access-token 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)'
            cand --base-url 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]'
            cand --timeout 'Give up on one attempt after this many seconds'
            cand --connect-timeout 'Give up connecting (TCP and TLS) after this many seconds'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --retries 'Retry up to N times when the request cannot have been delivered (429, no connection)'
            cand --max-wait 'Wait at most this many seconds in total between attempts'
            cand --profile 'The profile whose config-file defaults and stored tokens to use'
            cand -o 'A one-line confirmation (text), or a JSON object with the subscription and when it ends'
            cand --output 'A one-line confirmation (text), or a JSON object with the subscription and when it ends'
            cand --all-posts 'Watch all the user''s posts: new messages in every conversation where the user is the seller, or with --type POST_UPDATE every post''s changes (not their deletion)'
            cand --retry-unsafe 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
            cand --dry-run 'Print the request instead of sending it (secrets as ***); refreshes nothing'
            cand --show-secrets 'With --dry-run, print the API key and access token as they are'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;events;replay'= {
            cand --to 'Where to send it [default: where listen forwarded it]'
            cand --log 'The event log listen wrote [default: events.jsonl in the config directory]'
            cand --identification-key-file 'Read the app''s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)'
            cand --forward-key-file 'Read the key the local app expects in Authorization from this file (instead of KENAR_FORWARD_KEY), when it is not Divar''s'
            cand -H 'Add this header (repeatable)'
            cand --header 'Add this header (repeatable)'
            cand --timeout 'Give the app this many seconds to answer'
            cand --cacert 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)'
            cand --resolve 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable'
            cand --format 'The answer as it came, or one JSON object with the status and time'
            cand --last 'The last request recorded'
            cand -q 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand --quiet 'Say nothing on stderr but errors and warnings (no retry notices)'
            cand -v 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand --verbose 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kenar-chat;events;help'= {
            cand subscribe 'Ask Divar to send the app''s events URL NEW_MESSAGE or POST_UPDATE events of one post or all the user''s posts. The subscription lives as long as the access token it is made with: after a refresh, subscribe again (listen --subscribe does it itself)'
            cand replay 'Send a request `listen` recorded to the app again, body byte for byte'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kenar-chat;events;help;subscribe'= {
        }
        &'kenar-chat;events;help;replay'= {
        }
        &'kenar-chat;events;help;help'= {
        }
        &'kenar-chat;help'= {
            cand scope 'Compute or decode the resource ID and OAuth scope a message needs'
            cand oauth-url 'Build the authorization URL that asks a user for scopes'
            cand oauth 'Exchange codes for tokens, log in from the terminal, and manage stored tokens'
            cand send 'Send a TEXT message, with optional buttons, and print the answer'
            cand conversation 'Read a conversation of the current platform: its text messages, oldest first'
            cand icons 'List Divar''s icon names, which current-platform buttons take'
            cand completions 'Print shell completions (bash, zsh, fish, powershell, elvish)'
            cand man 'Print the manual: one roff page documenting every command and flag'
            cand sandbox 'Run a local Divar (API, OAuth, chat view) to develop and test against, offline'
            cand listen 'Receive what Divar sends the app, record it, and forward it to the app under development'
            cand trigger 'Send the app a sample of what Divar sends (an event, a server-link or dynamic-action call)'
            cand events 'Send what `listen` recorded to the app again'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kenar-chat;help;scope'= {
            cand chat 'Permission to send in one chat: CHAT_SEND_MESSAGE_OAUTH__BASE64(user:post:peer)'
            cand post 'Permission to send in every chat of one post: CHAT_SEND_MESSAGE_POST_CONVERSATIONS__P, or CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P on the current platform'
            cand conversation 'Permission to send in one conversation (current platform): CONVERSATION_SEND_MESSAGE.ID'
            cand supplier 'Permission to send in every conversation where the user is the seller (current platform): CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND'
            cand bot 'Permission to send as the app''s chatbot (current platform): CHAT_BOT_USER_MESSAGE_SEND'
            cand read 'Permission to read one conversation''s text messages (current platform): CHAT_CONVERSATION_READ.ID'
            cand subscription 'Permission to subscribe to events (current platform): CHAT_POST_CONVERSATIONS_READ.P for one post''s new messages, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ for those of all the user''s posts, USER_POSTS_GET for post updates'
            cand decode 'Say what a scope string (either platform''s syntax) or a bare resource ID grants'
            cand list 'List every scope Divar defines: what it allows, the resource it takes, the endpoints it serves'
        }
        &'kenar-chat;help;scope;chat'= {
        }
        &'kenar-chat;help;scope;post'= {
        }
        &'kenar-chat;help;scope;conversation'= {
        }
        &'kenar-chat;help;scope;supplier'= {
        }
        &'kenar-chat;help;scope;bot'= {
        }
        &'kenar-chat;help;scope;read'= {
        }
        &'kenar-chat;help;scope;subscription'= {
        }
        &'kenar-chat;help;scope;decode'= {
        }
        &'kenar-chat;help;scope;list'= {
        }
        &'kenar-chat;help;oauth-url'= {
        }
        &'kenar-chat;help;oauth'= {
            cand token 'Exchange an authorization code for an access token, and store the token'
            cand login 'Ask the user for scopes in the browser, wait for the redirect, and store the token'
            cand refresh 'Replace stored tokens of the current platform by new ones, with their refresh tokens'
            cand tokens 'List the stored tokens: profile, expiry and scopes, never the secrets'
            cand forget 'Remove stored tokens'
            cand doctor 'Check the profile''s OAuth setup, one line per check with its fix; sends no message and changes no stored token'
        }
        &'kenar-chat;help;oauth;token'= {
        }
        &'kenar-chat;help;oauth;login'= {
        }
        &'kenar-chat;help;oauth;refresh'= {
        }
        &'kenar-chat;help;oauth;tokens'= {
        }
        &'kenar-chat;help;oauth;forget'= {
        }
        &'kenar-chat;help;oauth;doctor'= {
        }
        &'kenar-chat;help;send'= {
        }
        &'kenar-chat;help;conversation'= {
            cand show 'Print a conversation''s text messages, oldest first: when, who, what. Divar returns text messages only; pictures, voice notes, files and other kinds are left out. Needs the scope CHAT_CONVERSATION_READ.ID and the key permission CHAT_READ_CONVERSATION'
        }
        &'kenar-chat;help;conversation;show'= {
        }
        &'kenar-chat;help;icons'= {
        }
        &'kenar-chat;help;completions'= {
        }
        &'kenar-chat;help;man'= {
        }
        &'kenar-chat;help;sandbox'= {
        }
        &'kenar-chat;help;listen'= {
        }
        &'kenar-chat;help;trigger'= {
        }
        &'kenar-chat;help;events'= {
            cand subscribe 'Ask Divar to send the app''s events URL NEW_MESSAGE or POST_UPDATE events of one post or all the user''s posts. The subscription lives as long as the access token it is made with: after a refresh, subscribe again (listen --subscribe does it itself)'
            cand replay 'Send a request `listen` recorded to the app again, body byte for byte'
        }
        &'kenar-chat;help;events;subscribe'= {
        }
        &'kenar-chat;help;events;replay'= {
        }
        &'kenar-chat;help;help'= {
        }
    ]
    $completions[$command]
}
