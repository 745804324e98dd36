"""Catalog crawling: one generic Scrapy product spider driven by a sources YAML."""
