"""HTTP routers, one module per resource group; the app mounts them."""
