"""The service side of the registry: serve `models:/<name>@champion`, re-resolve the alias on an
interval, and swap the served model atomically when it moved (promotion or rollback), without a
redeploy. With no registry or no champion yet, the service keeps its built-in default and says so
in /readyz and the logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ChampionWatcher(Generic[T]):
    """`load(uri)` builds the served object from a registry URI; `apply(obj, version)` swaps it
    in (one attribute assignment, so requests see the old or the new model, never a mix)."""

    def __init__(
        self, settings: Settings, load: Callable[[str], T], apply: Callable[[T, str], None]
    ) -> None:
        self.settings = settings
        self.load = load
        self.apply = apply
        self.version: str | None = None
        self.readiness: dict[str, Any] = {"ok": True, "source": "built-in default"}
        self._task: asyncio.Task[None] | None = None

    def _registry_exists(self) -> bool:
        from .registry import local_store_path

        store = local_store_path(self.settings.mlflow_tracking_uri)
        return store is None or store.is_file()

    def _resolve(self) -> str | None:
        """The champion's version number (cheap: one registry call), or None."""
        from .registry import CHAMPION, Registry

        registry = Registry(self.settings.mlflow_tracking_uri, self.settings.registered_model_name)
        champion = registry.by_alias(CHAMPION)
        return str(champion.version) if champion is not None else None

    def _fallback(self, reason: str) -> None:
        if self.version is None:
            self.readiness.update(
                {"ok": True, "source": "built-in default", "champion": None, "reason": reason}
            )

    async def refresh(self) -> bool:
        """Re-resolve the alias; load and swap in the champion when it changed. True if swapped."""
        name = self.settings.registered_model_name
        if not await asyncio.to_thread(self._registry_exists):
            self._fallback(f"no model registry at {self.settings.mlflow_tracking_uri} yet")
            return False
        try:
            version = await asyncio.to_thread(self._resolve)
            if version is None:
                self._fallback(f"{name} has no champion yet")
                return False
            if version == self.version:
                return False
            served = await asyncio.to_thread(self.load, f"models:/{name}/{version}")
        except Exception as exc:  # keep serving what we have; say why in /readyz
            logger.exception("model registry: could not resolve or load the champion of %s", name)
            self.readiness["registry_error"] = f"{type(exc).__name__}: {exc}"
            self._fallback("the registry could not be read")
            return False
        self.apply(served, version)
        previous, self.version = self.version, version
        self.readiness.clear()
        self.readiness.update({"ok": True, "source": "registry", "champion": f"{name} v{version}"})
        logger.info("serving %s v%s (champion; was %s)", name, version, previous or "default")
        return True

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.model_refresh_seconds)
            await self.refresh()

    async def start(self) -> None:
        await self.refresh()
        if self.version is None:
            logger.warning(
                "model registry: %s; serving the built-in default",
                self.readiness.get("reason", "no champion"),
            )
        if self.settings.model_refresh_seconds > 0:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
