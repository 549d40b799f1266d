//! The whole loop offline, in the browser: the app sends, the other side replies in the
//! chat view and the reply reaches the app through `listen`; the other side clicks, and
//! the app's answer, relayed by `listen`, is where the browser goes.

use fantoccini::Locator;
use serde_json::json;

use super::{Browser, in_browser};
use crate::common::listen::KEY;
use crate::common::offline_loop::{DEMO_CONVERSATION, OfflineLoop};
use crate::common::{PEER, POST};

/// The text of the element `selector` finds.
async fn text_of(browser: &Browser, selector: &str) -> String {
    let element = browser.client.find(Locator::Css(selector)).await.unwrap();
    element.text().await.unwrap()
}

#[tokio::test]
async fn a_reply_typed_in_the_browser_reaches_the_app_through_listen_as_divar_sends_it() {
    in_browser("reply", |browser| async move {
        let offline = OfflineLoop::keyed();
        let metadata = json!({"shop": "42"});
        offline.subscribe("", &metadata);
        offline.send("Your order has shipped.");
        let events = format!("{}/divar/events", offline.listen.url);

        // The buyer types a reply under their pane and sends it.
        browser.client.goto(&offline.sandbox.url).await.unwrap();
        let reply = "Is it still for sale? هنوز هست؟";
        let field = browser
            .client
            .find(Locator::Css("form.reply textarea"))
            .await
            .unwrap();
        field.send_keys(reply).await.unwrap();
        browser.click("form.reply button[type=submit]").await;
        let back = format!("{}/#m2-sender", offline.sandbox.url);
        assert_eq!(browser.wait_for_url(&back).await.as_str(), back);
        let delivery = text_of(&browser, "#m2-sender .delivery").await;
        assert!(
            delivery.starts_with(&format!(
                "NEW_MESSAGE webhook delivered to {events}: HTTP 200 in "
            )),
            "{delivery}"
        );
        assert!(delivery.ends_with(r#" ms, answer {"ok":true}"#), "{delivery}");
        // Both sides see it: the buyer's own, the seller's from the other side.
        assert!(text_of(&browser, "#m2-receiver").await.starts_with(reply));

        // The app received exactly what Divar sends, through listen.
        let received = offline.received("/divar/events");
        let [webhook] = received.as_slice() else {
            panic!("one webhook: {received:#?}")
        };
        assert_eq!(webhook.method, "POST");
        assert_eq!(webhook.header("authorization"), Some(KEY));
        assert_eq!(webhook.header("content-type"), Some("application/json"));
        let body = webhook.json();
        let sent_at = body["new_message"]["sent_at"].as_i64().unwrap();
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_micros(),
        )
        .unwrap();
        assert!((now - 120_000_000..=now).contains(&sent_at), "{sent_at}");
        assert_eq!(
            String::from_utf8(webhook.body.clone()).unwrap(),
            format!(
                r#"{{"type":"NEW_MESSAGE","metadata":{{"shop":"42"}},"new_message":{{"id":"2","conversation":{{"id":"{DEMO_CONVERSATION}","type":"POST","post_token":"{POST}"}},"sender":{{"side":"BUYER","type":"HUMAN"}},"type":"TEXT","sent_at":{sent_at},"text":"{reply}"}}}}"#
            )
        );

        // A picture, chosen in the same form.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("receipt.png");
        std::fs::write(&path, crate::common::sandbox::png()).unwrap();
        let chooser = browser
            .client
            .find(Locator::Css("form.reply input[type=file]"))
            .await
            .unwrap();
        chooser.send_keys(&path.display().to_string()).await.unwrap();
        browser.click("form.reply button[type=submit]").await;
        let back = format!("{}/#m3-sender", offline.sandbox.url);
        assert_eq!(browser.wait_for_url(&back).await.as_str(), back);
        assert!(
            browser
                .client
                .find(Locator::Css("#m3-receiver img.media"))
                .await
                .is_ok()
        );
        let received = offline.received("/divar/events");
        assert_eq!(received.len(), 2, "{received:#?}");
        let image = &received[1].json()["new_message"];
        assert_eq!(image["type"], "IMAGE");
        assert_eq!(image["sender"], json!({"side": "BUYER", "type": "HUMAN"}));
        assert_eq!(image["image_data"]["width_px"], 1);
    })
    .await;
}

#[tokio::test]
async fn the_apps_answer_to_a_click_reaches_the_browser_through_listen() {
    in_browser("clicks through listen", |browser| async move {
        let offline = OfflineLoop::keyed();
        // The buyer sees a server link and two dynamic actions, one answered with a link
        // to open, the other with a text.
        let button = |action: serde_json::Value, caption: &str| {
            json!({"buttons": [{"action": action, "icon": "INFO", "caption": caption}]})
        };
        let body = json!({
            "type": "TEXT",
            "message": "Your order has shipped.",
            "receiver_buttons": {"rows": [
                button(json!({"open_server_link": {"data": {"order": 42}}}), "Details"),
                button(json!({"get_dynamic_action": {"data": {"answer": "link"}}}), "Track"),
                button(json!({"get_dynamic_action": {"data": {"answer": "text"}}}), "Confirm"),
            ]},
        });
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), body.to_string()).unwrap();
        offline
            .sandbox
            .kenar()
            .args(["send", "--conversation-id", DEMO_CONVERSATION, "--file"])
            .arg(file.path())
            .assert()
            .success();
        let row = |n: usize| format!("#m1-receiver .row:nth-of-type({n}) button.button");

        // open_server_link: the app's {"url"} comes back through listen, and the browser
        // goes there.
        browser.client.goto(&offline.sandbox.url).await.unwrap();
        browser.click(&row(1)).await;
        let start = format!("{}/app/start?clicker={PEER}", offline.app.url());
        assert_eq!(browser.wait_for_url(&start).await.as_str(), start);
        assert!(browser.body_text().await.contains("app page /app/start"));

        // get_dynamic_action answered with an open_direct_link: the browser opens it.
        browser.client.goto(&offline.sandbox.url).await.unwrap();
        browser.click(&row(2)).await;
        let landing = format!("{}/app/landing", offline.app.url());
        assert_eq!(browser.wait_for_url(&landing).await.as_str(), landing);

        // get_dynamic_action answered with a text alone: the chat view shows it.
        browser.client.goto(&offline.sandbox.url).await.unwrap();
        browser.click(&row(3)).await;
        let mut shown = String::new();
        for _ in 0..200 {
            shown = browser.body_text().await;
            if shown.contains("The app's dynamic action answered") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(
            shown.contains("The app's dynamic action answered: سفارش شما ثبت شد"),
            "{shown}"
        );

        // Each call reached the app through listen, with the identification key.
        let calls = offline.received("/divar/actions");
        assert_eq!(calls.len(), 3, "{calls:#?}");
        assert!(calls.iter().all(|c| c.header("authorization") == Some(KEY)));
        assert_eq!(calls[0].json()["source"], "CHAT_MESSAGE_ACTION");
        assert_eq!(calls[1].json()["extra_data"], json!({"answer": "link"}));
        let names: Vec<_> = offline
            .listen
            .records()
            .iter()
            .map(|r| r["name"].clone())
            .collect();
        assert_eq!(names, ["SERVER_LINK", "DYNAMIC_ACTION", "DYNAMIC_ACTION"]);
    })
    .await;
}
