"""The video library in the Wagtail admin: list, upload, status, re-run, captions, chooser.

``VideoAssetViewSet`` is the "Videos" menu item; ``VideoAssetChooserViewSet`` is what
``FieldPanel("video")`` on a page shows (its widget is registered for every ForeignKey to
``VideoAsset``), so editors pick a video or upload one from the page editor. Uploads go through
``media_pipeline.uploads`` (chunks with progress, or straight to the bucket); processing is
``media_pipeline.services``' job, and these views only show its state and queue re-runs.

- ``library``: the viewset (list, edit, upload page) and its URLs;
- ``processing``: the polled status block, "re-run", the source download;
- ``captions``: adding and deleting captions of an asset;
- ``upload_api``: the JSON endpoints the upload script talks to;
- ``chooser``: the chooser viewset for ``FieldPanel("video")``;
- ``display`` and ``permissions``: what the others share (columns, panels, the permission check).
"""
