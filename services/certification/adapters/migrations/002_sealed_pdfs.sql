-- Every stored PDF is a sealed one (issue 20): the PDFs rendered before seals existed are
-- dropped, and the PDF worker renders and seals those of the certificates still valid again.
UPDATE certificates SET pdf = NULL, pdf_rendered_at = NULL WHERE pdf IS NOT NULL;
