"""Helpdesk (DESIGN §5): tickets measured against SLAs in working hours.

This first part holds the service catalogue's SLA targets, tickets and their lifecycle, and the
SLA clock; the pages, knowledge base, SOPs, bimtek and satisfaction surveys come next."""
