"""In-memory Grafana state for one org: dashboards with versions, folders, search, data sources.

Each method returns (status, json_body) following ../shared/reference/grafana.md; behaviours the
reference does not pin down (exact message texts, 404 for a missing folderUid) are marked.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

Reply = tuple[int, Any]
MAX_UID = 40
MAX_SEARCH_LIMIT = 5000


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@dataclass
class StoredDashboard:
    id: int
    uid: str
    data: dict[str, Any]
    folder_uid: str
    version: int
    created: float
    updated: float
    created_by: str
    updated_by: str
    provisioned: bool = False
    versions: list[dict[str, Any]] = field(default_factory=list)


class OrgState:
    """One org's dashboards, folders and data sources (alerting lives in provisioning.py)."""

    def __init__(self, org_id: int, clock: Callable[[], float]) -> None:
        self.org_id = org_id
        self.clock = clock
        self.dashboards: dict[str, StoredDashboard] = {}
        self.folders: dict[str, dict[str, Any]] = {}
        self.datasources: dict[str, dict[str, Any]] = {}
        self._next_id = 1

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # -- dashboards ---------------------------------------------------------------------------

    def save_dashboard(self, body: Any, user: str) -> Reply:
        if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
            return 400, {"message": "bad request data"}
        dash = copy.deepcopy(body["dashboard"])
        title = dash.get("title")
        if not isinstance(title, str) or not title.strip():
            return 400, {"message": "Dashboard title cannot be empty", "status": "empty-name"}
        uid = dash.get("uid") or f"gen{self.next_id()}"
        if not isinstance(uid, str) or len(uid) > MAX_UID:
            return 400, {"message": "uid too long, max 40 characters", "status": "uid-too-long"}
        folder_uid = body.get("folderUid") or ""  # omitted on update: the dashboard moves to the root
        if folder_uid and folder_uid not in self.folders:
            return 404, {"message": "folder not found", "status": "not-found"}  # assumption: 404
        overwrite = bool(body.get("overwrite"))
        existing = self.dashboards.get(uid)
        if existing is not None:
            if existing.provisioned:
                return 400, {"message": "Cannot save provisioned dashboard", "status": "provisioned-dashboard"}
            if not overwrite and int(dash.get("version") or 0) != existing.version:
                return 412, {"message": "The dashboard has been changed by someone else", "status": "version-mismatch"}
        for other in self.dashboards.values():
            if (other.uid != uid and other.folder_uid == folder_uid and not overwrite
                    and other.data.get("title", "").lower() == title.lower()):
                return 412, {"message": "A dashboard with the same name in the folder already exists",
                             "status": "name-exists"}
        now = self.clock()
        version = existing.version + 1 if existing else 1
        dash_id = existing.id if existing else self.next_id()
        dash.update({"id": dash_id, "uid": uid, "version": version})  # unknown keys are kept
        stored = StoredDashboard(
            id=dash_id, uid=uid, data=dash, folder_uid=folder_uid, version=version,
            created=existing.created if existing else now, updated=now,
            created_by=existing.created_by if existing else user, updated_by=user,
            versions=existing.versions if existing else [])
        stored.versions.append({"id": len(stored.versions) + 1, "dashboardId": dash_id, "uid": uid,
                                "version": version, "created": iso(now), "createdBy": user,
                                "message": str(body.get("message") or "")})
        self.dashboards[uid] = stored
        slug = slugify(title)
        return 200, {"id": dash_id, "uid": uid, "url": f"/d/{uid}/{slug}", "status": "success",
                     "version": version, "slug": slug}

    def get_dashboard(self, uid: str) -> Reply:
        stored = self.dashboards.get(uid)
        if stored is None:
            return 404, {"message": "Dashboard not found"}
        folder = self.folders.get(stored.folder_uid, {})
        slug = slugify(stored.data.get("title", ""))
        meta = {"type": "db", "canSave": True, "canEdit": True, "slug": slug, "url": f"/d/{uid}/{slug}",
                "folderUid": stored.folder_uid, "folderTitle": folder.get("title", "General"),
                "folderId": folder.get("id", 0), "version": stored.version, "created": iso(stored.created),
                "updated": iso(stored.updated), "createdBy": stored.created_by, "updatedBy": stored.updated_by,
                "provisioned": stored.provisioned, "provisionedExternalId": ""}
        return 200, {"dashboard": copy.deepcopy(stored.data), "meta": meta}

    def delete_dashboard(self, uid: str) -> Reply:
        stored = self.dashboards.pop(uid, None)
        if stored is None:
            return 404, {"message": "Dashboard not found"}
        title = stored.data.get("title", "")
        return 200, {"title": title, "message": f"Dashboard {title} deleted", "id": stored.id}

    def versions(self, uid: str) -> Reply:
        stored = self.dashboards.get(uid)
        if stored is None:
            return 404, {"message": "Dashboard not found"}
        return 200, list(reversed(copy.deepcopy(stored.versions)))

    def search(self, query: dict[str, list[str]]) -> Reply:
        kind = (query.get("type") or [""])[0]
        tags = query.get("tag", [])
        folder_uids = {u for value in query.get("folderUIDs", []) for u in value.split(",") if u}
        uids = {u for value in query.get("dashboardUIDs", []) for u in value.split(",") if u}
        text = (query.get("query") or [""])[0].lower()
        try:
            limit = int((query.get("limit") or ["1000"])[0])
            page = max(1, int((query.get("page") or ["1"])[0]))
        except ValueError:
            return 400, {"message": "bad request data"}
        if limit > MAX_SEARCH_LIMIT:
            return 422, {"message": f"Limit is above maximum allowed ({MAX_SEARCH_LIMIT}), use page"}
        hits: list[dict[str, Any]] = []
        if kind in ("", "dash-folder") and not tags:
            for folder in self.folders.values():
                if text in folder["title"].lower() and (not uids or folder["uid"] in uids):
                    hits.append({"id": folder["id"], "uid": folder["uid"], "title": folder["title"],
                                 "type": "dash-folder", "url": folder["url"], "tags": [], "isStarred": False})
        if kind in ("", "dash-db"):
            for stored in self.dashboards.values():
                data = stored.data
                own_tags = list(data.get("tags") or [])
                if any(t not in own_tags for t in tags) or text not in data.get("title", "").lower():
                    continue
                if folder_uids and (stored.folder_uid or "general") not in folder_uids:
                    continue
                if uids and stored.uid not in uids:
                    continue
                slug = slugify(data.get("title", ""))
                hit = {"id": stored.id, "uid": stored.uid, "title": data.get("title", ""), "uri": f"db/{slug}",
                       "url": f"/d/{stored.uid}/{slug}", "slug": "", "type": "dash-db", "tags": own_tags,
                       "isStarred": False, "sortMeta": 0}
                if stored.folder_uid:
                    folder = self.folders[stored.folder_uid]
                    hit.update({"folderUid": stored.folder_uid, "folderTitle": folder["title"],
                                "folderUrl": folder["url"], "folderId": folder["id"]})
                hits.append(hit)
        hits.sort(key=lambda h: (h["type"] != "dash-folder", h["title"].lower(), h["uid"]))
        return 200, hits[(page - 1) * limit: page * limit]

    # -- folders ------------------------------------------------------------------------------

    def list_folders(self) -> Reply:
        return 200, [{"id": f["id"], "uid": f["uid"], "title": f["title"]} for f in self.folders.values()]

    def get_folder(self, uid: str) -> Reply:
        folder = self.folders.get(uid)
        if folder is None:
            return 404, {"message": "folder not found", "status": "not-found"}
        return 200, copy.deepcopy(folder)

    def create_folder(self, body: Any, user: str) -> Reply:
        if not isinstance(body, dict) or not str(body.get("title") or "").strip():
            return 400, {"message": "folder title cannot be empty"}
        uid = str(body.get("uid") or f"folder{self.next_id()}")
        if len(uid) > MAX_UID:
            return 400, {"message": "uid too long, max 40 characters"}
        if uid in self.folders:
            return 409, {"message": "a folder with the same uid already exists"}
        parent = str(body.get("parentUid") or "")
        if any(f["title"] == body["title"] and f["parentUid"] == parent for f in self.folders.values()):
            return 409, {"message": "a folder or dashboard in the general folder with the same name already exists"}
        now = iso(self.clock())
        folder = {"id": self.next_id(), "uid": uid, "title": body["title"], "url": f"/dashboards/f/{uid}/",
                  "parentUid": parent, "version": 1, "created": now, "updated": now, "createdBy": user,
                  "updatedBy": user, "hasAcl": False, "canSave": True, "canEdit": True}
        self.folders[uid] = folder
        return 200, copy.deepcopy(folder)

    def update_folder(self, uid: str, body: Any, user: str) -> Reply:
        folder = self.folders.get(uid)
        if folder is None:
            return 404, {"message": "folder not found", "status": "not-found"}
        if not isinstance(body, dict) or not str(body.get("title") or "").strip():
            return 400, {"message": "folder title cannot be empty"}
        if not body.get("overwrite") and int(body.get("version") or 0) != folder["version"]:
            return 412, {"message": "the folder has been changed by someone else", "status": "version-mismatch"}
        folder.update({"title": body["title"], "version": folder["version"] + 1, "updated": iso(self.clock()),
                       "updatedBy": user})
        return 200, copy.deepcopy(folder)

    # -- data sources -------------------------------------------------------------------------

    def get_datasource(self, uid: str) -> Reply:
        ds = self.datasources.get(uid)
        if ds is None:
            return 404, {"message": "Data source not found"}
        return 200, copy.deepcopy(ds)

    def create_datasource(self, body: Any) -> Reply:
        if not isinstance(body, dict) or not body.get("name") or not body.get("type"):
            return 400, {"message": "bad request data"}
        uid = str(body.get("uid") or f"ds{self.next_id()}")
        if uid in self.datasources or any(d["name"] == body["name"] for d in self.datasources.values()):
            return 409, {"message": "data source with the same name or uid already exists"}
        ds = {"access": "proxy", "jsonData": {}, **copy.deepcopy(body), "uid": uid, "id": self.next_id(),
              "orgId": self.org_id}
        ds.pop("secureJsonData", None)
        self.datasources[uid] = ds
        return 200, {"datasource": copy.deepcopy(ds), "id": ds["id"], "message": "Datasource added",
                     "name": ds["name"]}

    def update_datasource(self, uid: str, body: Any) -> Reply:
        if uid not in self.datasources:
            return 404, {"message": "Data source not found"}
        if not isinstance(body, dict):
            return 400, {"message": "bad request data"}
        self.datasources[uid].update({k: v for k, v in body.items() if k not in ("id", "uid", "secureJsonData")})
        return 200, {"datasource": copy.deepcopy(self.datasources[uid]), "message": "Datasource updated"}
