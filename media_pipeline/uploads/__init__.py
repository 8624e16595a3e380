"""Large video uploads from the Wagtail admin: in pieces, in order, resumable.

Two ways, chosen by the private storage (``core.storage``: chunks and sources are pieces of
the unencrypted video, never in the public default storage):

- **Local storage** (the default): the browser PUTs chunks of ``CHUNK_BYTES`` to the admin, in
  order. Each chunk is kept as its own object under ``video-uploads/<id>/`` in the private
  storage, so whichever web process answers the next request can take it (nothing is left on
  one host's disk), and finishing streams the chunks into ``asset_create``.
- **Object storage** (``AWS_PRIVATE_STORAGE_BUCKET_NAME``): the browser sends the parts straight
  to the private bucket with presigned S3 multipart-upload URLs (S3 and R2 take up to 10,000 parts, so
  files far beyond the 5 GB of a single PUT). The server only starts and completes the upload
  and then creates the asset from the object's key: gigabytes never pass through a web process.

An upload is named by a signed token carrying who started it, the file's name and size (and
for the bucket the object key and S3's UploadId). Nothing but the chunks is kept between
requests, so an interrupted upload resumes where its chunks stop, on any web process.

The modules, in the order an upload meets them:

- ``upload``: what an upload is (``Upload``, its token, ``UploadError``), shared by the rest;
- ``sessions``: start an upload, load it from its token, say how far it got;
- ``chunks``: local storage of the chunks, read back as one file, and abandoned ones swept;
- ``bucket``: the S3 multipart calls of a direct-to-bucket upload;
- ``completion``: check every byte arrived, make the asset, or discard the upload.
"""
