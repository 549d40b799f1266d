# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kenar_chat_global_optspecs
    string join \n q/quiet v/verbose h/help V/version
end

function __fish_kenar_chat_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kenar_chat_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kenar_chat_using_subcommand
    set -l cmd (__fish_kenar_chat_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "scope" -d 'Compute or decode the resource ID and OAuth scope a message needs'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "oauth-url" -d 'Build the authorization URL that asks a user for scopes'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "oauth" -d 'Exchange codes for tokens, log in from the terminal, and manage stored tokens'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "send" -d 'Send a TEXT message, with optional buttons, and print the answer'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "conversation" -d 'Read a conversation of the current platform: its text messages, oldest first'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "icons" -d 'List Divar\'s icon names, which current-platform buttons take'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, powershell, elvish)'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "man" -d 'Print the manual: one roff page documenting every command and flag'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "sandbox" -d 'Run a local Divar (API, OAuth, chat view) to develop and test against, offline'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "listen" -d 'Receive what Divar sends the app, record it, and forward it to the app under development'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "trigger" -d 'Send the app a sample of what Divar sends (an event, a server-link or dynamic-action call)'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "events" -d 'Send what `listen` recorded to the app again'
complete -c kenar-chat -n "__fish_kenar_chat_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -s o -l output -d 'What to print: labelled text, a JSON object, or just the scope or resource ID' -r -f -a "text\t''
json\t''
scope\t'Only the scope string'
resource-id\t'Only the resource ID'"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -s i -l interactive -d 'Ask at the terminal which kind of scope to compute and its IDs (instead of a command)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -f -a "chat" -d 'Permission to send in one chat: CHAT_SEND_MESSAGE_OAUTH__BASE64(user:post:peer)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -f -a "post" -d 'Permission to send in every chat of one post: CHAT_SEND_MESSAGE_POST_CONVERSATIONS__P, or CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P on the current platform'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -f -a "conversation" -d 'Permission to send in one conversation (current platform): CONVERSATION_SEND_MESSAGE.ID'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -f -a "supplier" -d 'Permission to send in every conversation where the user is the seller (current platform): CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -f -a "bot" -d 'Permission to send as the app\'s chatbot (current platform): CHAT_BOT_USER_MESSAGE_SEND'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -f -a "read" -d 'Permission to read one conversation\'s text messages (current platform): CHAT_CONVERSATION_READ.ID'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -f -a "subscription" -d 'Permission to subscribe to events (current platform): CHAT_POST_CONVERSATIONS_READ.P for one post\'s new messages, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ for those of all the user\'s posts, USER_POSTS_GET for post updates'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -f -a "decode" -d 'Say what a scope string (either platform\'s syntax) or a bare resource ID grants'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -f -a "list" -d 'List every scope Divar defines: what it allows, the resource it takes, the endpoints it serves'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and not __fish_seen_subcommand_from chat post conversation supplier bot read subscription decode list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from chat" -l user-id -d 'The user the message is sent as (the one who grants access)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from chat" -l post-token -d 'The post (ad) the chat is about' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from chat" -l peer-id -d 'The other side of the chat' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from chat" -s o -l output -d 'What to print: labelled text, a JSON object, or just the scope or resource ID' -r -f -a "text\t''
json\t''
scope\t'Only the scope string'
resource-id\t'Only the resource ID'"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from chat" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from chat" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from chat" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from chat" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from post" -l post-token -d 'The post (ad) whose chats the app may write in' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from post" -l platform -d 'Which generation of Divar\'s API: legacy (the seed document\'s) or current (since 2025-04-27) [default: legacy]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from post" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from post" -s o -l output -d 'What to print: labelled text, a JSON object, or just the scope or resource ID' -r -f -a "text\t''
json\t''
scope\t'Only the scope string'
resource-id\t'Only the resource ID'"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from post" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from post" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from post" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from post" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from conversation" -l conversation-id -d 'The conversation the app may write in' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from conversation" -s o -l output -d 'What to print: labelled text, a JSON object, or just the scope or resource ID' -r -f -a "text\t''
json\t''
scope\t'Only the scope string'
resource-id\t'Only the resource ID'"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from conversation" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from conversation" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from conversation" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from conversation" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from supplier" -s o -l output -d 'What to print: labelled text, a JSON object, or just the scope or resource ID' -r -f -a "text\t''
json\t''
scope\t'Only the scope string'
resource-id\t'Only the resource ID'"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from supplier" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from supplier" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from supplier" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from supplier" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from bot" -s o -l output -d 'What to print: labelled text, a JSON object, or just the scope or resource ID' -r -f -a "text\t''
json\t''
scope\t'Only the scope string'
resource-id\t'Only the resource ID'"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from bot" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from bot" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from bot" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from bot" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from read" -l conversation-id -d 'The conversation the app may read' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from read" -s o -l output -d 'What to print: labelled text, a JSON object, or just the scope or resource ID' -r -f -a "text\t''
json\t''
scope\t'Only the scope string'
resource-id\t'Only the resource ID'"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from read" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from read" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from read" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from subscription" -l post-token -d 'Watch this post: new messages in its conversations, or with --type POST_UPDATE its changes' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from subscription" -l type -d 'What to be told of: NEW_MESSAGE_ON_POST (NEW_MESSAGE events) or POST_UPDATE [default: NEW_MESSAGE_ON_POST]' -r -f -a "NEW_MESSAGE_ON_POST\t''
POST_UPDATE\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from subscription" -s o -l output -d 'What to print: labelled text, a JSON object, or just the scope or resource ID' -r -f -a "text\t''
json\t''
scope\t'Only the scope string'
resource-id\t'Only the resource ID'"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from subscription" -l all-posts -d 'Watch all the user\'s posts: new messages in every conversation where the user is the seller, or with --type POST_UPDATE every post\'s changes (not their deletion)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from subscription" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from subscription" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from subscription" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from subscription" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from decode" -l platform -d 'Which generation of Divar\'s API: legacy (the seed document\'s) or current (since 2025-04-27) [default: legacy]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from decode" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from decode" -s o -l output -d 'What to print: labelled text, a JSON object, or just the scope or resource ID' -r -f -a "text\t''
json\t''
scope\t'Only the scope string'
resource-id\t'Only the resource ID'"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from decode" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from decode" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from decode" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from decode" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l api-key-file -d 'Read the app\'s API key from this file (instead of KENAR_API_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l api-key -d 'The API key itself (visible to other local users: prefer KENAR_API_KEY)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l base-url -d 'The API\'s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l timeout -d 'Give up on one attempt after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l connect-timeout -d 'Give up connecting (TCP and TLS) after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l retries -d 'Retry up to N times when the request cannot have been delivered (429, no connection)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l max-wait -d 'Wait at most this many seconds in total between attempts' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -s o -l output -d 'What to print: labelled text, a JSON object, or just the scope or resource ID' -r -f -a "text\t''
json\t''
scope\t'Only the scope string'
resource-id\t'Only the resource ID'"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l live -d 'Also ask Divar\'s live catalogue (needs the API key) for each scope\'s lifecycle state, and list the scopes it has that kenar-chat does not know'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -l retry-unsafe -d 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "chat" -d 'Permission to send in one chat: CHAT_SEND_MESSAGE_OAUTH__BASE64(user:post:peer)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "post" -d 'Permission to send in every chat of one post: CHAT_SEND_MESSAGE_POST_CONVERSATIONS__P, or CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P on the current platform'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "conversation" -d 'Permission to send in one conversation (current platform): CONVERSATION_SEND_MESSAGE.ID'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "supplier" -d 'Permission to send in every conversation where the user is the seller (current platform): CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "bot" -d 'Permission to send as the app\'s chatbot (current platform): CHAT_BOT_USER_MESSAGE_SEND'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "read" -d 'Permission to read one conversation\'s text messages (current platform): CHAT_CONVERSATION_READ.ID'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "subscription" -d 'Permission to subscribe to events (current platform): CHAT_POST_CONVERSATIONS_READ.P for one post\'s new messages, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ for those of all the user\'s posts, USER_POSTS_GET for post updates'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "decode" -d 'Say what a scope string (either platform\'s syntax) or a bare resource ID grants'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every scope Divar defines: what it allows, the resource it takes, the endpoints it serves'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand scope; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l client-id -d 'The app\'s slug from the Kenar panel' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l redirect-uri -d 'Where Divar sends the user back: absolute http(s), registered, no query string' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l state -d 'The state echoed back on return; a random 128-bit value when not given' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l auth-url -d 'The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth, or https://oauth.divar.ir/oauth2/auth on the current platform]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l chat -d 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l conversation -d 'Sending in one conversation (current; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l post-chats -d 'Sending in every chat of a post, as its owner on the current platform (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l read-conversation -d 'Reading one conversation\'s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l scope -d 'A scope as written, such as USER_PHONE (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l platform -d 'Which generation of Divar\'s API: legacy (the seed document\'s) or current (since 2025-04-27) [default: legacy]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -s o -l output -d 'Print the URL alone (text) or {"url", "state", "scopes"} (json)' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l supplier-chats -d 'Sending in every conversation where the user is the seller (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l bot -d 'Sending as the app\'s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -l offline -d 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -s i -l interactive -d 'Ask at the terminal for the client ID and redirect URI when missing, and (on the legacy platform) for the scopes when no scope flag is given'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth-url" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -f -a "token" -d 'Exchange an authorization code for an access token, and store the token'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -f -a "login" -d 'Ask the user for scopes in the browser, wait for the redirect, and store the token'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -f -a "refresh" -d 'Replace stored tokens of the current platform by new ones, with their refresh tokens'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -f -a "tokens" -d 'List the stored tokens: profile, expiry and scopes, never the secrets'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -f -a "forget" -d 'Remove stored tokens'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -f -a "doctor" -d 'Check the profile\'s OAuth setup, one line per check with its fix; sends no message and changes no stored token'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and not __fish_seen_subcommand_from token login refresh tokens forget doctor help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l code -d 'The code, or the whole redirect URL the browser landed on' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l redirect-uri -d 'The redirect URI of the authorization URL (the current platform\'s exchange sends it)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l state -d 'The state sent in the authorization URL: the redirect URL must carry it back' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l chat -d 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l conversation -d 'Sending in one conversation (current; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l post-chats -d 'Sending in every chat of a post, as its owner on the current platform (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l read-conversation -d 'Reading one conversation\'s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l scope -d 'A scope as written, such as USER_PHONE (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l client-id -d 'The app\'s slug from the Kenar panel' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l platform -d 'Which generation of Divar\'s API: legacy (the seed document\'s) or current (since 2025-04-27) [default: legacy]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l client-secret-file -d 'Read the app\'s client secret from this file (instead of KENAR_CLIENT_SECRET)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l token-url -d 'The current platform\'s token endpoint [default: https://oauth.divar.ir/oauth2/token]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l api-key-file -d 'Read the app\'s API key from this file (instead of KENAR_API_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l api-key -d 'The API key itself (visible to other local users: prefer KENAR_API_KEY)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l base-url -d 'The API\'s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l timeout -d 'Give up on one attempt after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l connect-timeout -d 'Give up connecting (TCP and TLS) after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l retries -d 'Retry up to N times when the request cannot have been delivered (429, no connection)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l max-wait -d 'Wait at most this many seconds in total between attempts' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -s o -l output -d 'Where the token was stored and when it expires (text) or the token answer (json)' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l supplier-chats -d 'Sending in every conversation where the user is the seller (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l bot -d 'Sending as the app\'s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l offline -d 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l retry-unsafe -d 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -l show-secrets -d 'With -o json, print the access and refresh tokens as they are'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l client-id -d 'The app\'s slug from the Kenar panel' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l redirect-uri -d 'Where Divar sends the user back: absolute http(s), registered, no query string' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l state -d 'The state echoed back on return; a random 128-bit value when not given' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l auth-url -d 'The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth, or https://oauth.divar.ir/oauth2/auth on the current platform]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l chat -d 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l conversation -d 'Sending in one conversation (current; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l post-chats -d 'Sending in every chat of a post, as its owner on the current platform (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l read-conversation -d 'Reading one conversation\'s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l scope -d 'A scope as written, such as USER_PHONE (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l wait -d 'Give up waiting for the redirect after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l platform -d 'Which generation of Divar\'s API: legacy (the seed document\'s) or current (since 2025-04-27) [default: legacy]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l client-secret-file -d 'Read the app\'s client secret from this file (instead of KENAR_CLIENT_SECRET)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l token-url -d 'The current platform\'s token endpoint [default: https://oauth.divar.ir/oauth2/token]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l api-key-file -d 'Read the app\'s API key from this file (instead of KENAR_API_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l api-key -d 'The API key itself (visible to other local users: prefer KENAR_API_KEY)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l base-url -d 'The API\'s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l timeout -d 'Give up on one attempt after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l connect-timeout -d 'Give up connecting (TCP and TLS) after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l retries -d 'Retry up to N times when the request cannot have been delivered (429, no connection)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l max-wait -d 'Wait at most this many seconds in total between attempts' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -s o -l output -d 'Where the token was stored and when it expires (text) or the token answer (json)' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l supplier-chats -d 'Sending in every conversation where the user is the seller (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l bot -d 'Sending as the app\'s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l offline -d 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l open -d 'Open the authorization URL in the default browser ($BROWSER when set)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l each-scope -d 'When Divar refuses the scopes with invalid_scope, ask for each scope alone and say which ones it refuses (offered at a terminal without this flag)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l retry-unsafe -d 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -l show-secrets -d 'With -o json, print the access and refresh tokens as they are'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from login" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l chat -d 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l conversation -d 'Sending in one conversation (current; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l post-chats -d 'Sending in every chat of a post, as its owner on the current platform (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l read-conversation -d 'Reading one conversation\'s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l scope -d 'A scope as written, such as USER_PHONE (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l client-id -d 'The app\'s slug from the Kenar panel' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l client-secret-file -d 'Read the app\'s client secret from this file (instead of KENAR_CLIENT_SECRET)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l token-url -d 'The current platform\'s token endpoint [default: https://oauth.divar.ir/oauth2/token]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l base-url -d 'The API\'s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l timeout -d 'Give up on one attempt after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l connect-timeout -d 'Give up connecting (TCP and TLS) after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l retries -d 'Retry up to N times when the request cannot have been delivered (429, no connection)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l max-wait -d 'Wait at most this many seconds in total between attempts' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -s o -l output -d 'One line per refreshed token (text) or an array of {profile, scopes, expires, refreshed, access_token, refresh_token} (json)' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l supplier-chats -d 'Sending in every conversation where the user is the seller (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l bot -d 'Sending as the app\'s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l offline -d 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l retry-unsafe -d 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -l show-secrets -d 'With -o json, print the new access and refresh tokens as they are'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from refresh" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from tokens" -l profile -d 'Only this profile\'s tokens (every profile\'s when not given)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from tokens" -s o -l output -d 'One line per token (text) or an array of {profile, scopes, expires, expired, refreshable} (json)' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from tokens" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from tokens" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from tokens" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from tokens" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l platform -d 'Which generation of Divar\'s API: legacy (the seed document\'s) or current (since 2025-04-27) [default: legacy]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l chat -d 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l conversation -d 'Sending in one conversation (current; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l post-chats -d 'Sending in every chat of a post, as its owner on the current platform (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l read-conversation -d 'Reading one conversation\'s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l scope -d 'A scope as written, such as USER_PHONE (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l supplier-chats -d 'Sending in every conversation where the user is the seller (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l bot -d 'Sending as the app\'s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l offline -d 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -l expired -d 'Only tokens that have expired'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from forget" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l redirect-uri -d 'The redirect URI registered for the app' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l platform -d 'Which generation of Divar\'s API: legacy (the seed document\'s) or current (since 2025-04-27) [default: legacy]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l client-id -d 'The app\'s slug from the Kenar panel' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l client-secret-file -d 'Read the app\'s client secret from this file (instead of KENAR_CLIENT_SECRET)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l token-url -d 'The current platform\'s token endpoint [default: https://oauth.divar.ir/oauth2/token]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l api-key-file -d 'Read the app\'s API key from this file (instead of KENAR_API_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l api-key -d 'The API key itself (visible to other local users: prefer KENAR_API_KEY)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l base-url -d 'The API\'s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l timeout -d 'Give up on one attempt after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l connect-timeout -d 'Give up connecting (TCP and TLS) after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l retries -d 'Retry up to N times when the request cannot have been delivered (429, no connection)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l max-wait -d 'Wait at most this many seconds in total between attempts' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -s o -l output -d 'One line per check (text) or {"passed", "checks": [{"check", "passed", "detail", "fix"}]} (json)' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -l retry-unsafe -d 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from doctor" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from help" -f -a "token" -d 'Exchange an authorization code for an access token, and store the token'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from help" -f -a "login" -d 'Ask the user for scopes in the browser, wait for the redirect, and store the token'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from help" -f -a "refresh" -d 'Replace stored tokens of the current platform by new ones, with their refresh tokens'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from help" -f -a "tokens" -d 'List the stored tokens: profile, expiry and scopes, never the secrets'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from help" -f -a "forget" -d 'Remove stored tokens'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from help" -f -a "doctor" -d 'Check the profile\'s OAuth setup, one line per check with its fix; sends no message and changes no stored token'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand oauth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l conversation-id -d 'The conversation to send in: the current platform (instead of --user-id, --peer-id)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l user-id -d 'The user the message is sent as (the one who granted access); legacy platform' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l post-token -d 'The post (ad) the chat is about; beside --conversation-id, it lets a stored token for the post\'s conversations be used' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l peer-id -d 'The other side of the chat; legacy platform' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l message -d 'The message text (both sides see it)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l message-file -d 'Read the message text from a file (\'-\' for standard input); one trailing newline is dropped' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l file -d 'A JSON message file in the API body shape (\'-\' for standard input); flags override its fields' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l image -d 'Upload this picture and send it instead of text (current platform; up to 5 MB)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l video -d 'Upload this video and send it instead of text (current platform; up to 50 MB)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l voice -d 'Upload this voice note and send it instead of text (current platform; up to 1.5 MB)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l document -d 'Upload this file (Divar\'s "file" kind) and send it instead of text (current platform; up to 5 MB)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l media-token -d 'Send the media token of an earlier upload instead of text (current platform)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l upload-url -d 'Divar\'s chat upload host, where media files go [default: https://chat.divar.ir]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l sender-button -d 'A button of the sender\'s grid, as \'CAPTION|ICON|TARGET\': TARGET an http(s) URL to open, a JSON object for the app\'s server link, \'dynamic:{JSON}\' for its dynamic action, \'post:TOKEN\' or \'manage:TOKEN\' for a post\'s page or its manage page; repeatable, rows of three in order (current platform)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l receiver-button -d 'A button of the receiver\'s grid, written as for --sender-button' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l button -d 'A button under a chatbot message, written as for --sender-button; repeatable, rows of three in order (with --bot)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l sender-caption -d 'Text on the sender\'s button' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l sender-icon -d 'Icon name of the sender\'s button' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l sender-direct-link -d 'Make the sender\'s button a DIRECT_LINK that opens this URL' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l sender-extra-data -d 'Make the sender\'s button a LINK carrying this JSON object back to the app' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l receiver-caption -d 'Text on the receiver\'s button' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l receiver-icon -d 'Icon name of the receiver\'s button' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l receiver-direct-link -d 'Make the receiver\'s button a DIRECT_LINK that opens this URL' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l receiver-extra-data -d 'Make the receiver\'s button a LINK carrying this JSON object back to the app' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l api-key-file -d 'Read the app\'s API key from this file (instead of KENAR_API_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l api-key -d 'The API key itself (visible to other local users: prefer KENAR_API_KEY)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l access-token-file -d 'Read the user\'s access token from this file (instead of KENAR_ACCESS_TOKEN)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l access-token -d 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l base-url -d 'The API\'s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l timeout -d 'Give up on one attempt after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l connect-timeout -d 'Give up connecting (TCP and TLS) after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l retries -d 'Retry up to N times when the request cannot have been delivered (429, no connection)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l max-wait -d 'Wait at most this many seconds in total between attempts' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -s o -l output -d 'A one-line confirmation (text) or the API\'s answer (json); with --batch, the summary' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l batch -d 'Send one message per line of this JSON Lines file (\'-\' for standard input); each line is a message file, with an optional "access_token"' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l concurrency -d 'Requests in flight at most [default: 4]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l rate -d 'Send at most N requests per second (N/s) or per minute (N/min)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l journal -d 'Record each line\'s sending in this file, so that running again skips what was sent' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l unreachable-limit -d 'Stop after N lines in a row could not reach the API or were refused as unauthorized; 0 never stops [default: 5]' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l bot -d 'Send as the app\'s chatbot: to --conversation-id (a bot conversation), or to --user-id (the token\'s own user, whose conversation with the bot it opens); current platform'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l retry-unsafe -d 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l dry-run -d 'Print the request instead of sending it (secrets as ***)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l print-line -d 'Print the checked message as one line of a --batch file instead of sending it; needs no credentials'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l show-secrets -d 'With --dry-run, print the API key and access token as they are'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -s i -l interactive -d 'Ask at the terminal for every missing value, show the request and confirm before sending'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l resend-in-doubt -d 'Send the lines the journal holds in doubt (they may have been delivered already)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -l fail-fast -d 'Stop at the first line that is invalid or fails, in input order (requests then go one at a time)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand send" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and not __fish_seen_subcommand_from show help" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and not __fish_seen_subcommand_from show help" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and not __fish_seen_subcommand_from show help" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Print a conversation\'s text messages, oldest first: when, who, what. Divar returns text messages only; pictures, voice notes, files and other kinds are left out. Needs the scope CHAT_CONVERSATION_READ.ID and the key permission CHAT_READ_CONVERSATION'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l api-key-file -d 'Read the app\'s API key from this file (instead of KENAR_API_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l api-key -d 'The API key itself (visible to other local users: prefer KENAR_API_KEY)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l access-token-file -d 'Read the user\'s access token from this file (instead of KENAR_ACCESS_TOKEN)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l access-token -d 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l base-url -d 'The API\'s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l timeout -d 'Give up on one attempt after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l connect-timeout -d 'Give up connecting (TCP and TLS) after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l retries -d 'Retry up to N times when the request cannot have been delivered (429, no connection)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l max-wait -d 'Wait at most this many seconds in total between attempts' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -s o -l output -d 'The messages as lines for people (text), or the API\'s answer (json)' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -l retry-unsafe -d 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print a conversation\'s text messages, oldest first: when, who, what. Divar returns text messages only; pictures, voice notes, files and other kinds are left out. Needs the scope CHAT_CONVERSATION_READ.ID and the key permission CHAT_READ_CONVERSATION'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand conversation; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand icons" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand icons" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand icons" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand icons" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand completions" -l out-dir -d 'Write the completions of every shell into this directory instead, one file each (the directory is created when missing)' -r -f -a "(__fish_complete_directories)"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand completions" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand completions" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand man" -l out-dir -d 'Write the whole manual (kenar-chat.1) and one page per command (kenar-chat-send.1, ...) into this directory, creating it when needed' -r -f -a "(__fish_complete_directories)"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand man" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand man" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand man" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand man" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l port -d 'Listen on this port of 127.0.0.1 (0 picks any free port)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l data -d 'Keep messages, tokens and credentials in this SQLite file across restarts' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l api-key -d 'The API key apps must send (generated when not given)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l client-id -d 'The OAuth client (app slug) the sandbox knows' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l client-secret -d 'That client\'s secret (generated when not given)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l token-lifetime -d 'How long issued access tokens stay valid, in seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l code-lifetime -d 'How long an authorization code can be exchanged, in seconds (Divar: 10 minutes)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l refresh-grace -d 'How long the old access and refresh tokens keep working after a refresh, in seconds (Divar: 2 minutes)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l restricted-conversation -d 'A conversation whose recipient refuses the app\'s messages: sending in it is answered 412, code 9 (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l rate-limit -d 'Sends accepted per minute; past it the API answers 429 with Retry-After' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l daily-limit -d 'Sends accepted per UTC day; past it the API answers 429 until midnight UTC' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l latency -d 'Hold each answer back this many milliseconds, like a round trip to Divar' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l session-init-url -d 'The app\'s session initialization URL, called when a LINK button is clicked in the chat view' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l dynamic-action-url -d 'The app\'s dynamic-action URL, called when a get_dynamic_action button is clicked in the chat view (with the same authorization header as session initialization)' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l events-url -d 'The app\'s events URL: replies typed in the chat view are delivered there as NEW_MESSAGE webhooks, while a subscription covers their post' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l identification-key-file -d 'Read the app\'s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l closed-scope -d 'A scope (its permission name) not opened for the app, as at Divar for a production app: asking for it is refused with invalid_scope (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l missing-permission -d 'A permission the API key lacks: requests to the endpoints needing it are answered 403, code 7 (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -l lowercase-supplier -d 'Spell the seller\'s key `supplier`, as older documents do, instead of `Supplier`'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand sandbox" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l port -d 'Listen on this port (0 picks any free port)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l bind -d 'Listen on this address (a tunnel\'s agent on this machine reaches 127.0.0.1)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l identification-key-file -d 'Read the app\'s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l forward-key-file -d 'Read the key the local app expects in Authorization from this file (instead of KENAR_FORWARD_KEY), when it is not Divar\'s' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -s f -l forward-to -d 'Forward events to this URL, and relay the app\'s answer' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -s c -l forward-actions-to -d 'Forward server-link and dynamic-action calls to this URL instead [default: --forward-to]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -s e -l events -d 'Forward only these (comma-separated): event types, SERVER_LINK, DYNAMIC_ACTION [default: all]; the others are recorded and answered 200' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -s H -l header -d 'Add this header to every forwarded request (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l format -d 'One line per request in and out, or one JSON object a line' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l log -d 'Keep the requests received in this JSON Lines file [default: events.jsonl in the config directory]' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l max-body -d 'Refuse (413) bodies larger than this many bytes (at most 8 MiB, so that the event log\'s records stay bounded)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l max-concurrent -d 'Answer 503 while this many requests are being handled' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l forward-timeout -d 'Give the app this many seconds to answer (504 past it)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l read-timeout -d 'Give a caller this many seconds to send its request head, then its body (closed, or 408, past it)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l post-token -d 'Watch this post: new messages in its conversations, or with --type POST_UPDATE its changes' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l type -d 'What to be told of: NEW_MESSAGE_ON_POST (NEW_MESSAGE events) or POST_UPDATE [default: NEW_MESSAGE_ON_POST]' -r -f -a "NEW_MESSAGE_ON_POST\t''
POST_UPDATE\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l metadata -d 'The app\'s own data, a JSON object, which Divar sends back in each event\'s metadata' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l api-key-file -d 'Read the app\'s API key from this file (instead of KENAR_API_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l api-key -d 'The API key itself (visible to other local users: prefer KENAR_API_KEY)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l access-token-file -d 'Read the user\'s access token from this file (instead of KENAR_ACCESS_TOKEN)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l access-token -d 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l base-url -d 'The API\'s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l timeout -d 'Give up on one attempt after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l connect-timeout -d 'Give up connecting (TCP and TLS) after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l retries -d 'Retry up to N times when the request cannot have been delivered (429, no connection)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l max-wait -d 'Wait at most this many seconds in total between attempts' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l accept-any-key -d 'Accept every request, whatever its Authorization header, even with KENAR_IDENTIFICATION_KEY set: for trying listen on this machine, never behind a public tunnel'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l divar-sources-only -d 'Also refuse (403) callers not at Divar\'s documented addresses (78.111.6.41-43, 31.214.250.128/27); behind a tunnel on this machine, its X-Forwarded-For names them'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l subscribe -d 'Subscribe to Divar\'s events at start (--post-token or --all-posts), and again with every new stored token, refreshed by listen itself or by another run, as long as listen runs'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l all-posts -d 'Watch all the user\'s posts: new messages in every conversation where the user is the seller, or with --type POST_UPDATE every post\'s changes (not their deletion)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -l retry-unsafe -d 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand listen" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l file -d 'Send this file\'s body instead of a sample' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l to -d 'The app\'s URL' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l override -d 'Replace the value at a dotted path: PATH=TEXT or PATH:=JSON (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l add -d 'Add a value at a dotted path that is not there yet (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l remove -d 'Remove the value at a dotted path (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l identification-key-file -d 'Read the app\'s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l forward-key-file -d 'Read the key the local app expects in Authorization from this file (instead of KENAR_FORWARD_KEY), when it is not Divar\'s' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -s H -l header -d 'Add this header (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l timeout -d 'Give the app this many seconds to answer' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -l format -d 'The answer as it came, or one JSON object with the status and time' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand trigger" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and not __fish_seen_subcommand_from subscribe replay help" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and not __fish_seen_subcommand_from subscribe replay help" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and not __fish_seen_subcommand_from subscribe replay help" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and not __fish_seen_subcommand_from subscribe replay help" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and not __fish_seen_subcommand_from subscribe replay help" -f -a "subscribe" -d 'Ask Divar to send the app\'s events URL NEW_MESSAGE or POST_UPDATE events of one post or all the user\'s posts. The subscription lives as long as the access token it is made with: after a refresh, subscribe again (listen --subscribe does it itself)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and not __fish_seen_subcommand_from subscribe replay help" -f -a "replay" -d 'Send a request `listen` recorded to the app again, body byte for byte'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and not __fish_seen_subcommand_from subscribe replay help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l post-token -d 'Watch this post: new messages in its conversations, or with --type POST_UPDATE its changes' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l type -d 'What to be told of: NEW_MESSAGE_ON_POST (NEW_MESSAGE events) or POST_UPDATE [default: NEW_MESSAGE_ON_POST]' -r -f -a "NEW_MESSAGE_ON_POST\t''
POST_UPDATE\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l metadata -d 'The app\'s own data, a JSON object, which Divar sends back in each event\'s metadata' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l api-key-file -d 'Read the app\'s API key from this file (instead of KENAR_API_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l api-key -d 'The API key itself (visible to other local users: prefer KENAR_API_KEY)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l access-token-file -d 'Read the user\'s access token from this file (instead of KENAR_ACCESS_TOKEN)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l access-token -d 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l base-url -d 'The API\'s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l timeout -d 'Give up on one attempt after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l connect-timeout -d 'Give up connecting (TCP and TLS) after this many seconds' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l retries -d 'Retry up to N times when the request cannot have been delivered (429, no connection)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l max-wait -d 'Wait at most this many seconds in total between attempts' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l profile -d 'The profile whose config-file defaults and stored tokens to use' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -s o -l output -d 'A one-line confirmation (text), or a JSON object with the subscription and when it ends' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l all-posts -d 'Watch all the user\'s posts: new messages in every conversation where the user is the seller, or with --type POST_UPDATE every post\'s changes (not their deletion)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l retry-unsafe -d 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l dry-run -d 'Print the request instead of sending it (secrets as ***); refreshes nothing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -l show-secrets -d 'With --dry-run, print the API key and access token as they are'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from subscribe" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -l to -d 'Where to send it [default: where listen forwarded it]' -r -f
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -l log -d 'The event log listen wrote [default: events.jsonl in the config directory]' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -l identification-key-file -d 'Read the app\'s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -l forward-key-file -d 'Read the key the local app expects in Authorization from this file (instead of KENAR_FORWARD_KEY), when it is not Divar\'s' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -s H -l header -d 'Add this header (repeatable)' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -l timeout -d 'Give the app this many seconds to answer' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -l cacert -d 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)' -r -F
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -l resolve -d 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl\'s --resolve); repeatable' -r
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -l format -d 'The answer as it came, or one JSON object with the status and time' -r -f -a "text\t''
json\t''"
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -l last -d 'The last request recorded'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -s q -l quiet -d 'Say nothing on stderr but errors and warnings (no retry notices)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -s v -l verbose -d 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -s h -l help -d 'Print help'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from replay" -s V -l version -d 'Print version'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "subscribe" -d 'Ask Divar to send the app\'s events URL NEW_MESSAGE or POST_UPDATE events of one post or all the user\'s posts. The subscription lives as long as the access token it is made with: after a refresh, subscribe again (listen --subscribe does it itself)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "replay" -d 'Send a request `listen` recorded to the app again, body byte for byte'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "scope" -d 'Compute or decode the resource ID and OAuth scope a message needs'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "oauth-url" -d 'Build the authorization URL that asks a user for scopes'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "oauth" -d 'Exchange codes for tokens, log in from the terminal, and manage stored tokens'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "send" -d 'Send a TEXT message, with optional buttons, and print the answer'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "conversation" -d 'Read a conversation of the current platform: its text messages, oldest first'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "icons" -d 'List Divar\'s icon names, which current-platform buttons take'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, powershell, elvish)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "man" -d 'Print the manual: one roff page documenting every command and flag'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "sandbox" -d 'Run a local Divar (API, OAuth, chat view) to develop and test against, offline'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "listen" -d 'Receive what Divar sends the app, record it, and forward it to the app under development'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "trigger" -d 'Send the app a sample of what Divar sends (an event, a server-link or dynamic-action call)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "events" -d 'Send what `listen` recorded to the app again'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and not __fish_seen_subcommand_from scope oauth-url oauth send conversation icons completions man sandbox listen trigger events help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "chat" -d 'Permission to send in one chat: CHAT_SEND_MESSAGE_OAUTH__BASE64(user:post:peer)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "post" -d 'Permission to send in every chat of one post: CHAT_SEND_MESSAGE_POST_CONVERSATIONS__P, or CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P on the current platform'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "conversation" -d 'Permission to send in one conversation (current platform): CONVERSATION_SEND_MESSAGE.ID'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "supplier" -d 'Permission to send in every conversation where the user is the seller (current platform): CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "bot" -d 'Permission to send as the app\'s chatbot (current platform): CHAT_BOT_USER_MESSAGE_SEND'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "read" -d 'Permission to read one conversation\'s text messages (current platform): CHAT_CONVERSATION_READ.ID'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "subscription" -d 'Permission to subscribe to events (current platform): CHAT_POST_CONVERSATIONS_READ.P for one post\'s new messages, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ for those of all the user\'s posts, USER_POSTS_GET for post updates'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "decode" -d 'Say what a scope string (either platform\'s syntax) or a bare resource ID grants'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from scope" -f -a "list" -d 'List every scope Divar defines: what it allows, the resource it takes, the endpoints it serves'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from oauth" -f -a "token" -d 'Exchange an authorization code for an access token, and store the token'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from oauth" -f -a "login" -d 'Ask the user for scopes in the browser, wait for the redirect, and store the token'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from oauth" -f -a "refresh" -d 'Replace stored tokens of the current platform by new ones, with their refresh tokens'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from oauth" -f -a "tokens" -d 'List the stored tokens: profile, expiry and scopes, never the secrets'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from oauth" -f -a "forget" -d 'Remove stored tokens'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from oauth" -f -a "doctor" -d 'Check the profile\'s OAuth setup, one line per check with its fix; sends no message and changes no stored token'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from conversation" -f -a "show" -d 'Print a conversation\'s text messages, oldest first: when, who, what. Divar returns text messages only; pictures, voice notes, files and other kinds are left out. Needs the scope CHAT_CONVERSATION_READ.ID and the key permission CHAT_READ_CONVERSATION'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from events" -f -a "subscribe" -d 'Ask Divar to send the app\'s events URL NEW_MESSAGE or POST_UPDATE events of one post or all the user\'s posts. The subscription lives as long as the access token it is made with: after a refresh, subscribe again (listen --subscribe does it itself)'
complete -c kenar-chat -n "__fish_kenar_chat_using_subcommand help; and __fish_seen_subcommand_from events" -f -a "replay" -d 'Send a request `listen` recorded to the app again, body byte for byte'
