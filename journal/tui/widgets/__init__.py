"""Small widgets the screens compose: photos, the trend plot, alerts, form fields."""
