"""Reading survey exports as the tool wrote them, and mapping them onto the codebook."""
