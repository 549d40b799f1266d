
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kenar-chat' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kenar-chat'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kenar-chat' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('scope', 'scope', [CompletionResultType]::ParameterValue, 'Compute or decode the resource ID and OAuth scope a message needs')
            [CompletionResult]::new('oauth-url', 'oauth-url', [CompletionResultType]::ParameterValue, 'Build the authorization URL that asks a user for scopes')
            [CompletionResult]::new('oauth', 'oauth', [CompletionResultType]::ParameterValue, 'Exchange codes for tokens, log in from the terminal, and manage stored tokens')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a TEXT message, with optional buttons, and print the answer')
            [CompletionResult]::new('conversation', 'conversation', [CompletionResultType]::ParameterValue, 'Read a conversation of the current platform: its text messages, oldest first')
            [CompletionResult]::new('icons', 'icons', [CompletionResultType]::ParameterValue, 'List Divar''s icon names, which current-platform buttons take')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual: one roff page documenting every command and flag')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run a local Divar (API, OAuth, chat view) to develop and test against, offline')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Receive what Divar sends the app, record it, and forward it to the app under development')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Send the app a sample of what Divar sends (an event, a server-link or dynamic-action call)')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'Send what `listen` recorded to the app again')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kenar-chat;scope' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Ask at the terminal which kind of scope to compute and its IDs (instead of a command)')
            [CompletionResult]::new('--interactive', '--interactive', [CompletionResultType]::ParameterName, 'Ask at the terminal which kind of scope to compute and its IDs (instead of a command)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Permission to send in one chat: CHAT_SEND_MESSAGE_OAUTH__BASE64(user:post:peer)')
            [CompletionResult]::new('post', 'post', [CompletionResultType]::ParameterValue, 'Permission to send in every chat of one post: CHAT_SEND_MESSAGE_POST_CONVERSATIONS__P, or CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P on the current platform')
            [CompletionResult]::new('conversation', 'conversation', [CompletionResultType]::ParameterValue, 'Permission to send in one conversation (current platform): CONVERSATION_SEND_MESSAGE.ID')
            [CompletionResult]::new('supplier', 'supplier', [CompletionResultType]::ParameterValue, 'Permission to send in every conversation where the user is the seller (current platform): CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND')
            [CompletionResult]::new('bot', 'bot', [CompletionResultType]::ParameterValue, 'Permission to send as the app''s chatbot (current platform): CHAT_BOT_USER_MESSAGE_SEND')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Permission to read one conversation''s text messages (current platform): CHAT_CONVERSATION_READ.ID')
            [CompletionResult]::new('subscription', 'subscription', [CompletionResultType]::ParameterValue, 'Permission to subscribe to events (current platform): CHAT_POST_CONVERSATIONS_READ.P for one post''s new messages, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ for those of all the user''s posts, USER_POSTS_GET for post updates')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Say what a scope string (either platform''s syntax) or a bare resource ID grants')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every scope Divar defines: what it allows, the resource it takes, the endpoints it serves')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kenar-chat;scope;chat' {
            [CompletionResult]::new('--user-id', '--user-id', [CompletionResultType]::ParameterName, 'The user the message is sent as (the one who grants access)')
            [CompletionResult]::new('--post-token', '--post-token', [CompletionResultType]::ParameterName, 'The post (ad) the chat is about')
            [CompletionResult]::new('--peer-id', '--peer-id', [CompletionResultType]::ParameterName, 'The other side of the chat')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;scope;post' {
            [CompletionResult]::new('--post-token', '--post-token', [CompletionResultType]::ParameterName, 'The post (ad) whose chats the app may write in')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;scope;conversation' {
            [CompletionResult]::new('--conversation-id', '--conversation-id', [CompletionResultType]::ParameterName, 'The conversation the app may write in')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;scope;supplier' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;scope;bot' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;scope;read' {
            [CompletionResult]::new('--conversation-id', '--conversation-id', [CompletionResultType]::ParameterName, 'The conversation the app may read')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;scope;subscription' {
            [CompletionResult]::new('--post-token', '--post-token', [CompletionResultType]::ParameterName, 'Watch this post: new messages in its conversations, or with --type POST_UPDATE its changes')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'What to be told of: NEW_MESSAGE_ON_POST (NEW_MESSAGE events) or POST_UPDATE [default: NEW_MESSAGE_ON_POST]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--all-posts', '--all-posts', [CompletionResultType]::ParameterName, 'Watch all the user''s posts: new messages in every conversation where the user is the seller, or with --type POST_UPDATE every post''s changes (not their deletion)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;scope;decode' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;scope;list' {
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the app''s API key from this file (instead of KENAR_API_KEY)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The API key itself (visible to other local users: prefer KENAR_API_KEY)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on one attempt after this many seconds')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting (TCP and TLS) after this many seconds')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry up to N times when the request cannot have been delivered (429, no connection)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Wait at most this many seconds in total between attempts')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'What to print: labelled text, a JSON object, or just the scope or resource ID')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'Also ask Divar''s live catalogue (needs the API key) for each scope''s lifecycle state, and list the scopes it has that kenar-chat does not know')
            [CompletionResult]::new('--retry-unsafe', '--retry-unsafe', [CompletionResultType]::ParameterName, 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;scope;help' {
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Permission to send in one chat: CHAT_SEND_MESSAGE_OAUTH__BASE64(user:post:peer)')
            [CompletionResult]::new('post', 'post', [CompletionResultType]::ParameterValue, 'Permission to send in every chat of one post: CHAT_SEND_MESSAGE_POST_CONVERSATIONS__P, or CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P on the current platform')
            [CompletionResult]::new('conversation', 'conversation', [CompletionResultType]::ParameterValue, 'Permission to send in one conversation (current platform): CONVERSATION_SEND_MESSAGE.ID')
            [CompletionResult]::new('supplier', 'supplier', [CompletionResultType]::ParameterValue, 'Permission to send in every conversation where the user is the seller (current platform): CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND')
            [CompletionResult]::new('bot', 'bot', [CompletionResultType]::ParameterValue, 'Permission to send as the app''s chatbot (current platform): CHAT_BOT_USER_MESSAGE_SEND')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Permission to read one conversation''s text messages (current platform): CHAT_CONVERSATION_READ.ID')
            [CompletionResult]::new('subscription', 'subscription', [CompletionResultType]::ParameterValue, 'Permission to subscribe to events (current platform): CHAT_POST_CONVERSATIONS_READ.P for one post''s new messages, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ for those of all the user''s posts, USER_POSTS_GET for post updates')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Say what a scope string (either platform''s syntax) or a bare resource ID grants')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every scope Divar defines: what it allows, the resource it takes, the endpoints it serves')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kenar-chat;scope;help;chat' {
            break
        }
        'kenar-chat;scope;help;post' {
            break
        }
        'kenar-chat;scope;help;conversation' {
            break
        }
        'kenar-chat;scope;help;supplier' {
            break
        }
        'kenar-chat;scope;help;bot' {
            break
        }
        'kenar-chat;scope;help;read' {
            break
        }
        'kenar-chat;scope;help;subscription' {
            break
        }
        'kenar-chat;scope;help;decode' {
            break
        }
        'kenar-chat;scope;help;list' {
            break
        }
        'kenar-chat;scope;help;help' {
            break
        }
        'kenar-chat;oauth-url' {
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The app''s slug from the Kenar panel')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'Where Divar sends the user back: absolute http(s), registered, no query string')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state echoed back on return; a random 128-bit value when not given')
            [CompletionResult]::new('--auth-url', '--auth-url', [CompletionResultType]::ParameterName, 'The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth, or https://oauth.divar.ir/oauth2/auth on the current platform]')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)')
            [CompletionResult]::new('--conversation', '--conversation', [CompletionResultType]::ParameterName, 'Sending in one conversation (current; repeatable)')
            [CompletionResult]::new('--post-chats', '--post-chats', [CompletionResultType]::ParameterName, 'Sending in every chat of a post, as its owner on the current platform (repeatable)')
            [CompletionResult]::new('--read-conversation', '--read-conversation', [CompletionResultType]::ParameterName, 'Reading one conversation''s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope as written, such as USER_PHONE (repeatable)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Print the URL alone (text) or {"url", "state", "scopes"} (json)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Print the URL alone (text) or {"url", "state", "scopes"} (json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--supplier-chats', '--supplier-chats', [CompletionResultType]::ParameterName, 'Sending in every conversation where the user is the seller (current)')
            [CompletionResult]::new('--bot', '--bot', [CompletionResultType]::ParameterName, 'Sending as the app''s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Ask at the terminal for the client ID and redirect URI when missing, and (on the legacy platform) for the scopes when no scope flag is given')
            [CompletionResult]::new('--interactive', '--interactive', [CompletionResultType]::ParameterName, 'Ask at the terminal for the client ID and redirect URI when missing, and (on the legacy platform) for the scopes when no scope flag is given')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;oauth' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Exchange an authorization code for an access token, and store the token')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Ask the user for scopes in the browser, wait for the redirect, and store the token')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Replace stored tokens of the current platform by new ones, with their refresh tokens')
            [CompletionResult]::new('tokens', 'tokens', [CompletionResultType]::ParameterValue, 'List the stored tokens: profile, expiry and scopes, never the secrets')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Remove stored tokens')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the profile''s OAuth setup, one line per check with its fix; sends no message and changes no stored token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kenar-chat;oauth;token' {
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The code, or the whole redirect URL the browser landed on')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'The redirect URI of the authorization URL (the current platform''s exchange sends it)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state sent in the authorization URL: the redirect URL must carry it back')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)')
            [CompletionResult]::new('--conversation', '--conversation', [CompletionResultType]::ParameterName, 'Sending in one conversation (current; repeatable)')
            [CompletionResult]::new('--post-chats', '--post-chats', [CompletionResultType]::ParameterName, 'Sending in every chat of a post, as its owner on the current platform (repeatable)')
            [CompletionResult]::new('--read-conversation', '--read-conversation', [CompletionResultType]::ParameterName, 'Reading one conversation''s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope as written, such as USER_PHONE (repeatable)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The app''s slug from the Kenar panel')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the app''s client secret from this file (instead of KENAR_CLIENT_SECRET)')
            [CompletionResult]::new('--token-url', '--token-url', [CompletionResultType]::ParameterName, 'The current platform''s token endpoint [default: https://oauth.divar.ir/oauth2/token]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the app''s API key from this file (instead of KENAR_API_KEY)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The API key itself (visible to other local users: prefer KENAR_API_KEY)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on one attempt after this many seconds')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting (TCP and TLS) after this many seconds')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry up to N times when the request cannot have been delivered (429, no connection)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Wait at most this many seconds in total between attempts')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where the token was stored and when it expires (text) or the token answer (json)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where the token was stored and when it expires (text) or the token answer (json)')
            [CompletionResult]::new('--supplier-chats', '--supplier-chats', [CompletionResultType]::ParameterName, 'Sending in every conversation where the user is the seller (current)')
            [CompletionResult]::new('--bot', '--bot', [CompletionResultType]::ParameterName, 'Sending as the app''s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)')
            [CompletionResult]::new('--retry-unsafe', '--retry-unsafe', [CompletionResultType]::ParameterName, 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'With -o json, print the access and refresh tokens as they are')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;oauth;login' {
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The app''s slug from the Kenar panel')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'Where Divar sends the user back: absolute http(s), registered, no query string')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state echoed back on return; a random 128-bit value when not given')
            [CompletionResult]::new('--auth-url', '--auth-url', [CompletionResultType]::ParameterName, 'The authorization endpoint [default: https://open-platform-redirect.divar.ir/oauth, or https://oauth.divar.ir/oauth2/auth on the current platform]')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)')
            [CompletionResult]::new('--conversation', '--conversation', [CompletionResultType]::ParameterName, 'Sending in one conversation (current; repeatable)')
            [CompletionResult]::new('--post-chats', '--post-chats', [CompletionResultType]::ParameterName, 'Sending in every chat of a post, as its owner on the current platform (repeatable)')
            [CompletionResult]::new('--read-conversation', '--read-conversation', [CompletionResultType]::ParameterName, 'Reading one conversation''s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope as written, such as USER_PHONE (repeatable)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Give up waiting for the redirect after this many seconds')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the app''s client secret from this file (instead of KENAR_CLIENT_SECRET)')
            [CompletionResult]::new('--token-url', '--token-url', [CompletionResultType]::ParameterName, 'The current platform''s token endpoint [default: https://oauth.divar.ir/oauth2/token]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the app''s API key from this file (instead of KENAR_API_KEY)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The API key itself (visible to other local users: prefer KENAR_API_KEY)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on one attempt after this many seconds')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting (TCP and TLS) after this many seconds')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry up to N times when the request cannot have been delivered (429, no connection)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Wait at most this many seconds in total between attempts')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where the token was stored and when it expires (text) or the token answer (json)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where the token was stored and when it expires (text) or the token answer (json)')
            [CompletionResult]::new('--supplier-chats', '--supplier-chats', [CompletionResultType]::ParameterName, 'Sending in every conversation where the user is the seller (current)')
            [CompletionResult]::new('--bot', '--bot', [CompletionResultType]::ParameterName, 'Sending as the app''s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Open the authorization URL in the default browser ($BROWSER when set)')
            [CompletionResult]::new('--each-scope', '--each-scope', [CompletionResultType]::ParameterName, 'When Divar refuses the scopes with invalid_scope, ask for each scope alone and say which ones it refuses (offered at a terminal without this flag)')
            [CompletionResult]::new('--retry-unsafe', '--retry-unsafe', [CompletionResultType]::ParameterName, 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'With -o json, print the access and refresh tokens as they are')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;oauth;refresh' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)')
            [CompletionResult]::new('--conversation', '--conversation', [CompletionResultType]::ParameterName, 'Sending in one conversation (current; repeatable)')
            [CompletionResult]::new('--post-chats', '--post-chats', [CompletionResultType]::ParameterName, 'Sending in every chat of a post, as its owner on the current platform (repeatable)')
            [CompletionResult]::new('--read-conversation', '--read-conversation', [CompletionResultType]::ParameterName, 'Reading one conversation''s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope as written, such as USER_PHONE (repeatable)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The app''s slug from the Kenar panel')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the app''s client secret from this file (instead of KENAR_CLIENT_SECRET)')
            [CompletionResult]::new('--token-url', '--token-url', [CompletionResultType]::ParameterName, 'The current platform''s token endpoint [default: https://oauth.divar.ir/oauth2/token]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on one attempt after this many seconds')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting (TCP and TLS) after this many seconds')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry up to N times when the request cannot have been delivered (429, no connection)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Wait at most this many seconds in total between attempts')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'One line per refreshed token (text) or an array of {profile, scopes, expires, refreshed, access_token, refresh_token} (json)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'One line per refreshed token (text) or an array of {profile, scopes, expires, refreshed, access_token, refresh_token} (json)')
            [CompletionResult]::new('--supplier-chats', '--supplier-chats', [CompletionResultType]::ParameterName, 'Sending in every conversation where the user is the seller (current)')
            [CompletionResult]::new('--bot', '--bot', [CompletionResultType]::ParameterName, 'Sending as the app''s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)')
            [CompletionResult]::new('--retry-unsafe', '--retry-unsafe', [CompletionResultType]::ParameterName, 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'With -o json, print the new access and refresh tokens as they are')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;oauth;tokens' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Only this profile''s tokens (every profile''s when not given)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'One line per token (text) or an array of {profile, scopes, expires, expired, refreshable} (json)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'One line per token (text) or an array of {profile, scopes, expires, expired, refreshable} (json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;oauth;forget' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]')
            [CompletionResult]::new('--chat', '--chat', [CompletionResultType]::ParameterName, 'Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)')
            [CompletionResult]::new('--conversation', '--conversation', [CompletionResultType]::ParameterName, 'Sending in one conversation (current; repeatable)')
            [CompletionResult]::new('--post-chats', '--post-chats', [CompletionResultType]::ParameterName, 'Sending in every chat of a post, as its owner on the current platform (repeatable)')
            [CompletionResult]::new('--read-conversation', '--read-conversation', [CompletionResultType]::ParameterName, 'Reading one conversation''s text messages: CHAT_CONVERSATION_READ.ID (current; repeatable)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope as written, such as USER_PHONE (repeatable)')
            [CompletionResult]::new('--supplier-chats', '--supplier-chats', [CompletionResultType]::ParameterName, 'Sending in every conversation where the user is the seller (current)')
            [CompletionResult]::new('--bot', '--bot', [CompletionResultType]::ParameterName, 'Sending as the app''s chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Also ask for a refresh token (offline_access), so that the token can be refreshed (current)')
            [CompletionResult]::new('--expired', '--expired', [CompletionResultType]::ParameterName, 'Only tokens that have expired')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;oauth;doctor' {
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'The redirect URI registered for the app')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Which generation of Divar''s API: legacy (the seed document''s) or current (since 2025-04-27) [default: legacy]')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The app''s slug from the Kenar panel')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the app''s client secret from this file (instead of KENAR_CLIENT_SECRET)')
            [CompletionResult]::new('--token-url', '--token-url', [CompletionResultType]::ParameterName, 'The current platform''s token endpoint [default: https://oauth.divar.ir/oauth2/token]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the app''s API key from this file (instead of KENAR_API_KEY)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The API key itself (visible to other local users: prefer KENAR_API_KEY)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on one attempt after this many seconds')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting (TCP and TLS) after this many seconds')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry up to N times when the request cannot have been delivered (429, no connection)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Wait at most this many seconds in total between attempts')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'One line per check (text) or {"passed", "checks": [{"check", "passed", "detail", "fix"}]} (json)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'One line per check (text) or {"passed", "checks": [{"check", "passed", "detail", "fix"}]} (json)')
            [CompletionResult]::new('--retry-unsafe', '--retry-unsafe', [CompletionResultType]::ParameterName, 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;oauth;help' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Exchange an authorization code for an access token, and store the token')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Ask the user for scopes in the browser, wait for the redirect, and store the token')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Replace stored tokens of the current platform by new ones, with their refresh tokens')
            [CompletionResult]::new('tokens', 'tokens', [CompletionResultType]::ParameterValue, 'List the stored tokens: profile, expiry and scopes, never the secrets')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Remove stored tokens')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the profile''s OAuth setup, one line per check with its fix; sends no message and changes no stored token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kenar-chat;oauth;help;token' {
            break
        }
        'kenar-chat;oauth;help;login' {
            break
        }
        'kenar-chat;oauth;help;refresh' {
            break
        }
        'kenar-chat;oauth;help;tokens' {
            break
        }
        'kenar-chat;oauth;help;forget' {
            break
        }
        'kenar-chat;oauth;help;doctor' {
            break
        }
        'kenar-chat;oauth;help;help' {
            break
        }
        'kenar-chat;send' {
            [CompletionResult]::new('--conversation-id', '--conversation-id', [CompletionResultType]::ParameterName, 'The conversation to send in: the current platform (instead of --user-id, --peer-id)')
            [CompletionResult]::new('--user-id', '--user-id', [CompletionResultType]::ParameterName, 'The user the message is sent as (the one who granted access); legacy platform')
            [CompletionResult]::new('--post-token', '--post-token', [CompletionResultType]::ParameterName, 'The post (ad) the chat is about; beside --conversation-id, it lets a stored token for the post''s conversations be used')
            [CompletionResult]::new('--peer-id', '--peer-id', [CompletionResultType]::ParameterName, 'The other side of the chat; legacy platform')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'The message text (both sides see it)')
            [CompletionResult]::new('--message-file', '--message-file', [CompletionResultType]::ParameterName, 'Read the message text from a file (''-'' for standard input); one trailing newline is dropped')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'A JSON message file in the API body shape (''-'' for standard input); flags override its fields')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Upload this picture and send it instead of text (current platform; up to 5 MB)')
            [CompletionResult]::new('--video', '--video', [CompletionResultType]::ParameterName, 'Upload this video and send it instead of text (current platform; up to 50 MB)')
            [CompletionResult]::new('--voice', '--voice', [CompletionResultType]::ParameterName, 'Upload this voice note and send it instead of text (current platform; up to 1.5 MB)')
            [CompletionResult]::new('--document', '--document', [CompletionResultType]::ParameterName, 'Upload this file (Divar''s "file" kind) and send it instead of text (current platform; up to 5 MB)')
            [CompletionResult]::new('--media-token', '--media-token', [CompletionResultType]::ParameterName, 'Send the media token of an earlier upload instead of text (current platform)')
            [CompletionResult]::new('--upload-url', '--upload-url', [CompletionResultType]::ParameterName, 'Divar''s chat upload host, where media files go [default: https://chat.divar.ir]')
            [CompletionResult]::new('--sender-button', '--sender-button', [CompletionResultType]::ParameterName, 'A button of the sender''s grid, as ''CAPTION|ICON|TARGET'': TARGET an http(s) URL to open, a JSON object for the app''s server link, ''dynamic:{JSON}'' for its dynamic action, ''post:TOKEN'' or ''manage:TOKEN'' for a post''s page or its manage page; repeatable, rows of three in order (current platform)')
            [CompletionResult]::new('--receiver-button', '--receiver-button', [CompletionResultType]::ParameterName, 'A button of the receiver''s grid, written as for --sender-button')
            [CompletionResult]::new('--button', '--button', [CompletionResultType]::ParameterName, 'A button under a chatbot message, written as for --sender-button; repeatable, rows of three in order (with --bot)')
            [CompletionResult]::new('--sender-caption', '--sender-caption', [CompletionResultType]::ParameterName, 'Text on the sender''s button')
            [CompletionResult]::new('--sender-icon', '--sender-icon', [CompletionResultType]::ParameterName, 'Icon name of the sender''s button')
            [CompletionResult]::new('--sender-direct-link', '--sender-direct-link', [CompletionResultType]::ParameterName, 'Make the sender''s button a DIRECT_LINK that opens this URL')
            [CompletionResult]::new('--sender-extra-data', '--sender-extra-data', [CompletionResultType]::ParameterName, 'Make the sender''s button a LINK carrying this JSON object back to the app')
            [CompletionResult]::new('--receiver-caption', '--receiver-caption', [CompletionResultType]::ParameterName, 'Text on the receiver''s button')
            [CompletionResult]::new('--receiver-icon', '--receiver-icon', [CompletionResultType]::ParameterName, 'Icon name of the receiver''s button')
            [CompletionResult]::new('--receiver-direct-link', '--receiver-direct-link', [CompletionResultType]::ParameterName, 'Make the receiver''s button a DIRECT_LINK that opens this URL')
            [CompletionResult]::new('--receiver-extra-data', '--receiver-extra-data', [CompletionResultType]::ParameterName, 'Make the receiver''s button a LINK carrying this JSON object back to the app')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the app''s API key from this file (instead of KENAR_API_KEY)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The API key itself (visible to other local users: prefer KENAR_API_KEY)')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'Read the user''s access token from this file (instead of KENAR_ACCESS_TOKEN)')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on one attempt after this many seconds')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting (TCP and TLS) after this many seconds')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry up to N times when the request cannot have been delivered (429, no connection)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Wait at most this many seconds in total between attempts')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'A one-line confirmation (text) or the API''s answer (json); with --batch, the summary')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'A one-line confirmation (text) or the API''s answer (json); with --batch, the summary')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Send one message per line of this JSON Lines file (''-'' for standard input); each line is a message file, with an optional "access_token"')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at most [default: 4]')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Send at most N requests per second (N/s) or per minute (N/min)')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Record each line''s sending in this file, so that running again skips what was sent')
            [CompletionResult]::new('--unreachable-limit', '--unreachable-limit', [CompletionResultType]::ParameterName, 'Stop after N lines in a row could not reach the API or were refused as unauthorized; 0 never stops [default: 5]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--bot', '--bot', [CompletionResultType]::ParameterName, 'Send as the app''s chatbot: to --conversation-id (a bot conversation), or to --user-id (the token''s own user, whose conversation with the bot it opens); current platform')
            [CompletionResult]::new('--retry-unsafe', '--retry-unsafe', [CompletionResultType]::ParameterName, 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request instead of sending it (secrets as ***)')
            [CompletionResult]::new('--print-line', '--print-line', [CompletionResultType]::ParameterName, 'Print the checked message as one line of a --batch file instead of sending it; needs no credentials')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'With --dry-run, print the API key and access token as they are')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Ask at the terminal for every missing value, show the request and confirm before sending')
            [CompletionResult]::new('--interactive', '--interactive', [CompletionResultType]::ParameterName, 'Ask at the terminal for every missing value, show the request and confirm before sending')
            [CompletionResult]::new('--resend-in-doubt', '--resend-in-doubt', [CompletionResultType]::ParameterName, 'Send the lines the journal holds in doubt (they may have been delivered already)')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'Stop at the first line that is invalid or fails, in input order (requests then go one at a time)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;conversation' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a conversation''s text messages, oldest first: when, who, what. Divar returns text messages only; pictures, voice notes, files and other kinds are left out. Needs the scope CHAT_CONVERSATION_READ.ID and the key permission CHAT_READ_CONVERSATION')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kenar-chat;conversation;show' {
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the app''s API key from this file (instead of KENAR_API_KEY)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The API key itself (visible to other local users: prefer KENAR_API_KEY)')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'Read the user''s access token from this file (instead of KENAR_ACCESS_TOKEN)')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on one attempt after this many seconds')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting (TCP and TLS) after this many seconds')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry up to N times when the request cannot have been delivered (429, no connection)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Wait at most this many seconds in total between attempts')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The messages as lines for people (text), or the API''s answer (json)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The messages as lines for people (text), or the API''s answer (json)')
            [CompletionResult]::new('--retry-unsafe', '--retry-unsafe', [CompletionResultType]::ParameterName, 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;conversation;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a conversation''s text messages, oldest first: when, who, what. Divar returns text messages only; pictures, voice notes, files and other kinds are left out. Needs the scope CHAT_CONVERSATION_READ.ID and the key permission CHAT_READ_CONVERSATION')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kenar-chat;conversation;help;show' {
            break
        }
        'kenar-chat;conversation;help;help' {
            break
        }
        'kenar-chat;icons' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;completions' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write the completions of every shell into this directory instead, one file each (the directory is created when missing)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write the whole manual (kenar-chat.1) and one page per command (kenar-chat-send.1, ...) into this directory, creating it when needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;sandbox' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Listen on this port of 127.0.0.1 (0 picks any free port)')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Keep messages, tokens and credentials in this SQLite file across restarts')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The API key apps must send (generated when not given)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The OAuth client (app slug) the sandbox knows')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'That client''s secret (generated when not given)')
            [CompletionResult]::new('--token-lifetime', '--token-lifetime', [CompletionResultType]::ParameterName, 'How long issued access tokens stay valid, in seconds')
            [CompletionResult]::new('--code-lifetime', '--code-lifetime', [CompletionResultType]::ParameterName, 'How long an authorization code can be exchanged, in seconds (Divar: 10 minutes)')
            [CompletionResult]::new('--refresh-grace', '--refresh-grace', [CompletionResultType]::ParameterName, 'How long the old access and refresh tokens keep working after a refresh, in seconds (Divar: 2 minutes)')
            [CompletionResult]::new('--restricted-conversation', '--restricted-conversation', [CompletionResultType]::ParameterName, 'A conversation whose recipient refuses the app''s messages: sending in it is answered 412, code 9 (repeatable)')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Sends accepted per minute; past it the API answers 429 with Retry-After')
            [CompletionResult]::new('--daily-limit', '--daily-limit', [CompletionResultType]::ParameterName, 'Sends accepted per UTC day; past it the API answers 429 until midnight UTC')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'Hold each answer back this many milliseconds, like a round trip to Divar')
            [CompletionResult]::new('--session-init-url', '--session-init-url', [CompletionResultType]::ParameterName, 'The app''s session initialization URL, called when a LINK button is clicked in the chat view')
            [CompletionResult]::new('--dynamic-action-url', '--dynamic-action-url', [CompletionResultType]::ParameterName, 'The app''s dynamic-action URL, called when a get_dynamic_action button is clicked in the chat view (with the same authorization header as session initialization)')
            [CompletionResult]::new('--events-url', '--events-url', [CompletionResultType]::ParameterName, 'The app''s events URL: replies typed in the chat view are delivered there as NEW_MESSAGE webhooks, while a subscription covers their post')
            [CompletionResult]::new('--identification-key-file', '--identification-key-file', [CompletionResultType]::ParameterName, 'Read the app''s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)')
            [CompletionResult]::new('--closed-scope', '--closed-scope', [CompletionResultType]::ParameterName, 'A scope (its permission name) not opened for the app, as at Divar for a production app: asking for it is refused with invalid_scope (repeatable)')
            [CompletionResult]::new('--missing-permission', '--missing-permission', [CompletionResultType]::ParameterName, 'A permission the API key lacks: requests to the endpoints needing it are answered 403, code 7 (repeatable)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--lowercase-supplier', '--lowercase-supplier', [CompletionResultType]::ParameterName, 'Spell the seller''s key `supplier`, as older documents do, instead of `Supplier`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;listen' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Listen on this port (0 picks any free port)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Listen on this address (a tunnel''s agent on this machine reaches 127.0.0.1)')
            [CompletionResult]::new('--identification-key-file', '--identification-key-file', [CompletionResultType]::ParameterName, 'Read the app''s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)')
            [CompletionResult]::new('--forward-key-file', '--forward-key-file', [CompletionResultType]::ParameterName, 'Read the key the local app expects in Authorization from this file (instead of KENAR_FORWARD_KEY), when it is not Divar''s')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Forward events to this URL, and relay the app''s answer')
            [CompletionResult]::new('--forward-to', '--forward-to', [CompletionResultType]::ParameterName, 'Forward events to this URL, and relay the app''s answer')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Forward server-link and dynamic-action calls to this URL instead [default: --forward-to]')
            [CompletionResult]::new('--forward-actions-to', '--forward-actions-to', [CompletionResultType]::ParameterName, 'Forward server-link and dynamic-action calls to this URL instead [default: --forward-to]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Forward only these (comma-separated): event types, SERVER_LINK, DYNAMIC_ACTION [default: all]; the others are recorded and answered 200')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Forward only these (comma-separated): event types, SERVER_LINK, DYNAMIC_ACTION [default: all]; the others are recorded and answered 200')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add this header to every forwarded request (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add this header to every forwarded request (repeatable)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'One line per request in and out, or one JSON object a line')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Keep the requests received in this JSON Lines file [default: events.jsonl in the config directory]')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Refuse (413) bodies larger than this many bytes (at most 8 MiB, so that the event log''s records stay bounded)')
            [CompletionResult]::new('--max-concurrent', '--max-concurrent', [CompletionResultType]::ParameterName, 'Answer 503 while this many requests are being handled')
            [CompletionResult]::new('--forward-timeout', '--forward-timeout', [CompletionResultType]::ParameterName, 'Give the app this many seconds to answer (504 past it)')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Give a caller this many seconds to send its request head, then its body (closed, or 408, past it)')
            [CompletionResult]::new('--post-token', '--post-token', [CompletionResultType]::ParameterName, 'Watch this post: new messages in its conversations, or with --type POST_UPDATE its changes')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'What to be told of: NEW_MESSAGE_ON_POST (NEW_MESSAGE events) or POST_UPDATE [default: NEW_MESSAGE_ON_POST]')
            [CompletionResult]::new('--metadata', '--metadata', [CompletionResultType]::ParameterName, 'The app''s own data, a JSON object, which Divar sends back in each event''s metadata')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the app''s API key from this file (instead of KENAR_API_KEY)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The API key itself (visible to other local users: prefer KENAR_API_KEY)')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'Read the user''s access token from this file (instead of KENAR_ACCESS_TOKEN)')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on one attempt after this many seconds')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting (TCP and TLS) after this many seconds')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry up to N times when the request cannot have been delivered (429, no connection)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Wait at most this many seconds in total between attempts')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--accept-any-key', '--accept-any-key', [CompletionResultType]::ParameterName, 'Accept every request, whatever its Authorization header, even with KENAR_IDENTIFICATION_KEY set: for trying listen on this machine, never behind a public tunnel')
            [CompletionResult]::new('--divar-sources-only', '--divar-sources-only', [CompletionResultType]::ParameterName, 'Also refuse (403) callers not at Divar''s documented addresses (78.111.6.41-43, 31.214.250.128/27); behind a tunnel on this machine, its X-Forwarded-For names them')
            [CompletionResult]::new('--subscribe', '--subscribe', [CompletionResultType]::ParameterName, 'Subscribe to Divar''s events at start (--post-token or --all-posts), and again with every new stored token, refreshed by listen itself or by another run, as long as listen runs')
            [CompletionResult]::new('--all-posts', '--all-posts', [CompletionResultType]::ParameterName, 'Watch all the user''s posts: new messages in every conversation where the user is the seller, or with --type POST_UPDATE every post''s changes (not their deletion)')
            [CompletionResult]::new('--retry-unsafe', '--retry-unsafe', [CompletionResultType]::ParameterName, 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;trigger' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Send this file''s body instead of a sample')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The app''s URL')
            [CompletionResult]::new('--override', '--override', [CompletionResultType]::ParameterName, 'Replace the value at a dotted path: PATH=TEXT or PATH:=JSON (repeatable)')
            [CompletionResult]::new('--add', '--add', [CompletionResultType]::ParameterName, 'Add a value at a dotted path that is not there yet (repeatable)')
            [CompletionResult]::new('--remove', '--remove', [CompletionResultType]::ParameterName, 'Remove the value at a dotted path (repeatable)')
            [CompletionResult]::new('--identification-key-file', '--identification-key-file', [CompletionResultType]::ParameterName, 'Read the app''s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)')
            [CompletionResult]::new('--forward-key-file', '--forward-key-file', [CompletionResultType]::ParameterName, 'Read the key the local app expects in Authorization from this file (instead of KENAR_FORWARD_KEY), when it is not Divar''s')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add this header (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add this header (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give the app this many seconds to answer')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The answer as it came, or one JSON object with the status and time')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;events' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('subscribe', 'subscribe', [CompletionResultType]::ParameterValue, 'Ask Divar to send the app''s events URL NEW_MESSAGE or POST_UPDATE events of one post or all the user''s posts. The subscription lives as long as the access token it is made with: after a refresh, subscribe again (listen --subscribe does it itself)')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send a request `listen` recorded to the app again, body byte for byte')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kenar-chat;events;subscribe' {
            [CompletionResult]::new('--post-token', '--post-token', [CompletionResultType]::ParameterName, 'Watch this post: new messages in its conversations, or with --type POST_UPDATE its changes')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'What to be told of: NEW_MESSAGE_ON_POST (NEW_MESSAGE events) or POST_UPDATE [default: NEW_MESSAGE_ON_POST]')
            [CompletionResult]::new('--metadata', '--metadata', [CompletionResultType]::ParameterName, 'The app''s own data, a JSON object, which Divar sends back in each event''s metadata')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'Read the app''s API key from this file (instead of KENAR_API_KEY)')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'The API key itself (visible to other local users: prefer KENAR_API_KEY)')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'Read the user''s access token from this file (instead of KENAR_ACCESS_TOKEN)')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'The access token itself (visible to other local users: prefer KENAR_ACCESS_TOKEN)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The API''s base URL: https, or plain http to a loopback host for local testing [default: https://api.divar.ir, or https://open-api.divar.ir on the current platform]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on one attempt after this many seconds')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting (TCP and TLS) after this many seconds')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry up to N times when the request cannot have been delivered (429, no connection)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Wait at most this many seconds in total between attempts')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile whose config-file defaults and stored tokens to use')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'A one-line confirmation (text), or a JSON object with the subscription and when it ends')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'A one-line confirmation (text), or a JSON object with the subscription and when it ends')
            [CompletionResult]::new('--all-posts', '--all-posts', [CompletionResultType]::ParameterName, 'Watch all the user''s posts: new messages in every conversation where the user is the seller, or with --type POST_UPDATE every post''s changes (not their deletion)')
            [CompletionResult]::new('--retry-unsafe', '--retry-unsafe', [CompletionResultType]::ParameterName, 'Also retry 5xx answers, timeouts and dropped connections (the message may then arrive twice)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request instead of sending it (secrets as ***); refreshes nothing')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'With --dry-run, print the API key and access token as they are')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;events;replay' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Where to send it [default: where listen forwarded it]')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'The event log listen wrote [default: events.jsonl in the config directory]')
            [CompletionResult]::new('--identification-key-file', '--identification-key-file', [CompletionResultType]::ParameterName, 'Read the app''s Divar identification key from this file (instead of KENAR_IDENTIFICATION_KEY)')
            [CompletionResult]::new('--forward-key-file', '--forward-key-file', [CompletionResultType]::ParameterName, 'Read the key the local app expects in Authorization from this file (instead of KENAR_FORWARD_KEY), when it is not Divar''s')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add this header (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add this header (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give the app this many seconds to answer')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file (for networks that inspect TLS, or a local CA)')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to these addresses for HOST:PORT instead of looking the name up, tried in turn (as curl''s --resolve); repeatable')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The answer as it came, or one JSON object with the status and time')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'The last request recorded')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors and warnings (no retry notices)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr: method, URL, headers (secrets as ***), status, timing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kenar-chat;events;help' {
            [CompletionResult]::new('subscribe', 'subscribe', [CompletionResultType]::ParameterValue, 'Ask Divar to send the app''s events URL NEW_MESSAGE or POST_UPDATE events of one post or all the user''s posts. The subscription lives as long as the access token it is made with: after a refresh, subscribe again (listen --subscribe does it itself)')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send a request `listen` recorded to the app again, body byte for byte')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kenar-chat;events;help;subscribe' {
            break
        }
        'kenar-chat;events;help;replay' {
            break
        }
        'kenar-chat;events;help;help' {
            break
        }
        'kenar-chat;help' {
            [CompletionResult]::new('scope', 'scope', [CompletionResultType]::ParameterValue, 'Compute or decode the resource ID and OAuth scope a message needs')
            [CompletionResult]::new('oauth-url', 'oauth-url', [CompletionResultType]::ParameterValue, 'Build the authorization URL that asks a user for scopes')
            [CompletionResult]::new('oauth', 'oauth', [CompletionResultType]::ParameterValue, 'Exchange codes for tokens, log in from the terminal, and manage stored tokens')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a TEXT message, with optional buttons, and print the answer')
            [CompletionResult]::new('conversation', 'conversation', [CompletionResultType]::ParameterValue, 'Read a conversation of the current platform: its text messages, oldest first')
            [CompletionResult]::new('icons', 'icons', [CompletionResultType]::ParameterValue, 'List Divar''s icon names, which current-platform buttons take')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual: one roff page documenting every command and flag')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run a local Divar (API, OAuth, chat view) to develop and test against, offline')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Receive what Divar sends the app, record it, and forward it to the app under development')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Send the app a sample of what Divar sends (an event, a server-link or dynamic-action call)')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'Send what `listen` recorded to the app again')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kenar-chat;help;scope' {
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Permission to send in one chat: CHAT_SEND_MESSAGE_OAUTH__BASE64(user:post:peer)')
            [CompletionResult]::new('post', 'post', [CompletionResultType]::ParameterValue, 'Permission to send in every chat of one post: CHAT_SEND_MESSAGE_POST_CONVERSATIONS__P, or CHAT_POST_CONVERSATIONS_MESSAGE_SEND.P on the current platform')
            [CompletionResult]::new('conversation', 'conversation', [CompletionResultType]::ParameterValue, 'Permission to send in one conversation (current platform): CONVERSATION_SEND_MESSAGE.ID')
            [CompletionResult]::new('supplier', 'supplier', [CompletionResultType]::ParameterValue, 'Permission to send in every conversation where the user is the seller (current platform): CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND')
            [CompletionResult]::new('bot', 'bot', [CompletionResultType]::ParameterValue, 'Permission to send as the app''s chatbot (current platform): CHAT_BOT_USER_MESSAGE_SEND')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Permission to read one conversation''s text messages (current platform): CHAT_CONVERSATION_READ.ID')
            [CompletionResult]::new('subscription', 'subscription', [CompletionResultType]::ParameterValue, 'Permission to subscribe to events (current platform): CHAT_POST_CONVERSATIONS_READ.P for one post''s new messages, CHAT_SUPPLIER_ALL_CONVERSATIONS_READ for those of all the user''s posts, USER_POSTS_GET for post updates')
            [CompletionResult]::new('decode', 'decode', [CompletionResultType]::ParameterValue, 'Say what a scope string (either platform''s syntax) or a bare resource ID grants')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every scope Divar defines: what it allows, the resource it takes, the endpoints it serves')
            break
        }
        'kenar-chat;help;scope;chat' {
            break
        }
        'kenar-chat;help;scope;post' {
            break
        }
        'kenar-chat;help;scope;conversation' {
            break
        }
        'kenar-chat;help;scope;supplier' {
            break
        }
        'kenar-chat;help;scope;bot' {
            break
        }
        'kenar-chat;help;scope;read' {
            break
        }
        'kenar-chat;help;scope;subscription' {
            break
        }
        'kenar-chat;help;scope;decode' {
            break
        }
        'kenar-chat;help;scope;list' {
            break
        }
        'kenar-chat;help;oauth-url' {
            break
        }
        'kenar-chat;help;oauth' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Exchange an authorization code for an access token, and store the token')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Ask the user for scopes in the browser, wait for the redirect, and store the token')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Replace stored tokens of the current platform by new ones, with their refresh tokens')
            [CompletionResult]::new('tokens', 'tokens', [CompletionResultType]::ParameterValue, 'List the stored tokens: profile, expiry and scopes, never the secrets')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Remove stored tokens')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the profile''s OAuth setup, one line per check with its fix; sends no message and changes no stored token')
            break
        }
        'kenar-chat;help;oauth;token' {
            break
        }
        'kenar-chat;help;oauth;login' {
            break
        }
        'kenar-chat;help;oauth;refresh' {
            break
        }
        'kenar-chat;help;oauth;tokens' {
            break
        }
        'kenar-chat;help;oauth;forget' {
            break
        }
        'kenar-chat;help;oauth;doctor' {
            break
        }
        'kenar-chat;help;send' {
            break
        }
        'kenar-chat;help;conversation' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a conversation''s text messages, oldest first: when, who, what. Divar returns text messages only; pictures, voice notes, files and other kinds are left out. Needs the scope CHAT_CONVERSATION_READ.ID and the key permission CHAT_READ_CONVERSATION')
            break
        }
        'kenar-chat;help;conversation;show' {
            break
        }
        'kenar-chat;help;icons' {
            break
        }
        'kenar-chat;help;completions' {
            break
        }
        'kenar-chat;help;man' {
            break
        }
        'kenar-chat;help;sandbox' {
            break
        }
        'kenar-chat;help;listen' {
            break
        }
        'kenar-chat;help;trigger' {
            break
        }
        'kenar-chat;help;events' {
            [CompletionResult]::new('subscribe', 'subscribe', [CompletionResultType]::ParameterValue, 'Ask Divar to send the app''s events URL NEW_MESSAGE or POST_UPDATE events of one post or all the user''s posts. The subscription lives as long as the access token it is made with: after a refresh, subscribe again (listen --subscribe does it itself)')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send a request `listen` recorded to the app again, body byte for byte')
            break
        }
        'kenar-chat;help;events;subscribe' {
            break
        }
        'kenar-chat;help;events;replay' {
            break
        }
        'kenar-chat;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
