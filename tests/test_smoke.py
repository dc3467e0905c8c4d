def test_home_in_indonesian(client):
    r = client.get("/")
    assert r.status_code == 200
