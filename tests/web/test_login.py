"""Log in with Discord through the emulator's OAuth2 (PKCE, state), strict as Discord."""

from __future__ import annotations

import httpx
from yarl import URL

from tests.cogs.conftest import App
from tests.web.conftest import base_url, log_in

TASKS = "/api/v1/scheduler/tasks"


async def test_log_in_gives_an_http_only_lax_session(app: App) -> None:
    browser = await log_in(app, app.world.alice)
    try:
        assert (await browser.get(TASKS)).status_code == 200
        cookie = next(c for c in browser.cookies.jar if c.name == "access_token")
        assert cookie.has_nonstandard_attr("HttpOnly")
        assert not cookie.secure  # plain http here; Secure once public_url is https
        holder = await app.services.api_tokens.holder(cookie.value or "")
        assert holder.user_id == app.world.alice.id
        assert holder.kind == "session"
    finally:
        await browser.aclose()


async def _start(app: App, http: httpx.AsyncClient) -> URL:
    """Follow /login to the emulator's consent; the redirect back to the callback."""
    app.emulator.oauth.allow_redirect(f"{base_url(app)}/auth/callback")
    app.emulator.oauth.consent_as(app.world.alice.id)
    to_discord = await http.get("/login")
    assert to_discord.status_code == 302
    authorize = URL(to_discord.headers["location"])
    assert authorize.path == "/oauth2/authorize"
    assert authorize.query["scope"] == "identify guilds"
    assert authorize.query["code_challenge_method"] == "S256"
    consent = await http.get(str(authorize))
    assert consent.status_code == 302
    return URL(consent.headers["location"])


async def test_a_wrong_state_or_a_reused_code_is_refused(app: App) -> None:
    async with httpx.AsyncClient(base_url=base_url(app), timeout=10) as http:
        back = await _start(app, http)
        forged = back.update_query(state="not-the-state")
        refused = await http.get(forged.path_qs)
        assert refused.status_code == 400
        assert "state" in refused.text
        # The code was not spent by the refused attempt... and is good once only.
        first = await http.get(back.path_qs)
        assert first.status_code == 303
        again = await http.get(back.path_qs)
        assert again.status_code == 400
    async with (
        httpx.AsyncClient(base_url=base_url(app), timeout=10) as started,
        httpx.AsyncClient(base_url=base_url(app), timeout=10) as stranger,
    ):
        # Without the flow cookie (another browser), the callback refuses.
        back = await _start(app, started)
        assert (await stranger.get(back.path_qs)).status_code == 400


async def test_the_emulator_checks_pkce_redirect_uri_and_client(app: App) -> None:
    oauth = app.emulator.oauth
    redirect = f"{base_url(app)}/auth/callback"
    oauth.allow_redirect(redirect)
    oauth.consent_as(app.world.bob.id)
    site = URL(app.emulator.api_base_url).with_path("/")
    async with httpx.AsyncClient(timeout=10) as http:

        async def code(**extra: str) -> str:
            query = {
                "response_type": "code",
                "client_id": str(oauth.client_id),
                "scope": "identify guilds",
                "redirect_uri": redirect,
                "state": "s",
                **extra,
            }
            answer = await http.get(str(site / "oauth2" / "authorize"), params=query)
            assert answer.status_code == 302, answer.text
            return URL(answer.headers["location"]).query["code"]

        unregistered = await http.get(
            str(site / "oauth2" / "authorize"),
            params={
                "response_type": "code",
                "client_id": str(oauth.client_id),
                "scope": "identify",
                "redirect_uri": "http://evil.example/cb",
            },
        )
        assert unregistered.status_code == 400
        token_url = str(site / "api" / "oauth2" / "token")
        form = {
            "grant_type": "authorization_code",
            "client_id": str(oauth.client_id),
            "client_secret": oauth.client_secret,
            "redirect_uri": redirect,
        }
        # S256 of "verifier-0123456789012345678901234567890123"
        import base64
        import hashlib

        verifier = "verifier-0123456789012345678901234567890123"
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        pkce = {"code_challenge": challenge.rstrip(b"=").decode(), "code_challenge_method": "S256"}
        wrong_verifier = await http.post(
            token_url, data=form | {"code": await code(**pkce), "code_verifier": "nope"}
        )
        assert wrong_verifier.json()["error"] == "invalid_grant"
        other_redirect = await http.post(
            token_url,
            data=form
            | {
                "code": await code(**pkce),
                "code_verifier": verifier,
                "redirect_uri": redirect + "x",
            },
        )
        assert other_redirect.json()["error"] == "invalid_grant"
        bad_secret = await http.post(
            token_url, data=form | {"code": await code(), "client_secret": "guess"}
        )
        assert bad_secret.status_code == 401
        granted = await http.post(
            token_url, data=form | {"code": await code(**pkce), "code_verifier": verifier}
        )
        assert granted.status_code == 200, granted.text
        bearer = {"Authorization": f"Bearer {granted.json()['access_token']}"}
        me = await http.get(f"{app.emulator.api_base_url}/users/@me", headers=bearer)
        assert me.json()["id"] == str(app.world.bob.id)
        guilds = await http.get(f"{app.emulator.api_base_url}/users/@me/guilds", headers=bearer)
        assert [g["id"] for g in guilds.json()] == [str(app.world.guild.id)]
        nobody = await http.get(f"{app.emulator.api_base_url}/users/@me/guilds")
        assert nobody.status_code == 401
